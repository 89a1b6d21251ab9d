"""The links page in a browser: axe finds no serious violation on the list (with e-mail
states), a refused batch, new links and the e-mail preview; the page does not scroll sideways
at 1280 px; creating, re-labelling and revoking a link by keyboard; and the participant's pages
of a revoked link and of an unsubscribe link."""

import pytest
from playwright.sync_api import Page, expect

from study import services
from study.models import Participant, StudyMembership
from tests.e2e.axe import axe_violations, page_at, visits_audit
from tests.e2e.console_cases import PASSWORD, log_in
from tests.factories import UserFactory, enrolled_participant, gaube_study

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def study():
    owner = UserFactory(username="owner", password=PASSWORD)
    study = gaube_study(slug="chest", title="Chest study")
    StudyMembership.objects.create(study=study, user=owner, role=StudyMembership.Role.OWNER)
    services.links_create(study=study, count=3, label_prefix="Site A")
    enrolled_participant(study)
    services.invitations_email(study=study, text="a@example.org\nb@example.org,Ward 2")
    return study


def _links(base: str) -> str:
    return f"{base}/console/studies/chest/links/"


def _send(button: str, fill: dict[str, str] | None = None):
    def reach(page: Page) -> None:
        for label, value in (fill or {}).items():
            page.get_by_label(label, exact=True).fill(value)
        with page.expect_navigation():
            page.get_by_role("button", name=button, exact=True).click()
        expect(page.locator("h1")).to_be_visible()

    return reach


def test_the_links_page_passes_axe_and_fits_1280_px(page, live_server, study):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server.url, "owner")
    found = visits_audit(
        page,
        [
            ("list", page_at(_links(live_server.url))),
            ("refused batch", _send("Create links", {"Number of links": "0"})),
            ("new links", _send("Create links", {"Number of links": "2"})),
            ("preview", _send("Preview", {"Invitation subject": "About {title}"})),
            ("refused texts", _send("Save", {"Invitation body": "Hello {name}"})),
        ],
    )
    assert found == [], "\n".join(found)
    page.goto(_links(live_server.url))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280


def test_relabel_and_revoke_by_keyboard(page, live_server, study):
    log_in(page, live_server.url, "owner")
    page.goto(_links(live_server.url))
    link = Participant.objects.get(study=study, label="Site A-002")
    field = page.get_by_label(f"Label of {link.public_id}")
    field.focus()
    field.fill("Ward 7")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    row = page.locator(f"#link-{link.public_id}")
    expect(row.locator(".link-label")).to_have_text("Ward 7")
    page.get_by_role("button", name=f"Revoke {link.public_id}").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(f"#link-{link.public_id} .link-status")).to_have_text("Revoked")
    expect(page.get_by_role("button", name=f"Revoke {link.public_id}")).to_have_count(0)


def test_a_revoked_link_and_an_unsubscribe_link_in_the_browser(page, live_server, study):
    link = Participant.objects.get(study=study, label="Site A-001")
    services.link_revoke(study=study, public_id=link.public_id)
    page_at(f"{live_server.url}/p/{link.token}/", status=410)(page)
    expect(page.locator("h1")).to_have_text("This link was withdrawn by the study team")
    assert axe_violations(page) == []
    row = Participant.objects.get(study=study, label="Ward 2").invitation_email
    page_at(f"{live_server.url}/u/{row.unsubscribe_token}/")(page)
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, send me no further e-mails").click()
    expect(page.locator("h1")).to_have_text("You will get no further e-mails about this study")
    row.refresh_from_db()
    assert row.unsubscribed_at is not None
