"""The console's API tokens page in a real browser, by keyboard only: create a token (shown
once, in a labelled field), use it from a script, revoke it; axe finds nothing serious and the
CSP blocks nothing."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.e2e.axe import axe_violations
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # UserFactory's


def _api_status(secret: str) -> int:
    return Client().get("/api/studies/", HTTP_AUTHORIZATION=f"Token {secret}").status_code


def test_given_the_tokens_page_then_a_token_is_made_used_and_revoked_by_keyboard(page, live_server):
    UserFactory(username="coordinator")
    page.goto(f"{live_server.url}/console/login/")
    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.goto(f"{live_server.url}/console/tokens/")
    assert axe_violations(page) == []

    create = page.get_by_role("button", name="Create a new token")
    create.focus()
    page.keyboard.press("Enter")

    secret = page.get_by_label("Token", exact=True).input_value()
    assert len(secret) == 64
    assert axe_violations(page) == []
    assert _api_status(secret) == 200
    revoke = page.get_by_role("button", name=f"Revoke the token starting with {secret[:15]}")
    revoke.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(f"Token {secret[:15]}… is revoked")
    expect(page.get_by_text("No tokens yet.")).to_be_visible()
    assert _api_status(secret) == 401
