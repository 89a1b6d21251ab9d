"""The console's API tokens page: any signed-in account lists its own tokens, creates one
(its secret on that answer only) and revokes its own, never another account's."""

import pytest
from django.urls import reverse
from knox.models import AuthToken

from study.services.tokens import api_token_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_given_no_login_then_the_tokens_page_sends_to_the_login(client):
    response = client.get(reverse("console:tokens"))

    assert response.status_code == 302
    assert response["Location"] == "/console/login/?next=/console/tokens/"


def test_given_an_account_then_it_lists_only_its_own_tokens(client):
    user = UserFactory(username="coordinator")
    mine, _ = api_token_create(user=user)
    theirs, _ = api_token_create(user=UserFactory(username="other"))
    client.force_login(user)

    page = client.get(reverse("console:tokens")).content.decode()

    assert f"<code>{mine.token_key}…</code>" in page
    assert theirs.token_key not in page
    assert "Your 1 token</caption>" in page


def test_given_create_then_the_secret_is_shown_once_and_works(client):
    user = UserFactory(username="coordinator")
    client.force_login(user)

    created = client.post(reverse("console:tokens"))

    assert created.status_code == 201
    assert created["Cache-Control"] == "private, no-store"
    secret = created.context["secret"]
    assert f'value="{secret}"' in created.content.decode()
    assert AuthToken.objects.get(user=user).token_key == secret[:15]
    again = client.get(reverse("console:tokens")).content.decode()
    assert secret not in again
    assert secret[:15] in again
    api = client.__class__().get(reverse("api:studies"), HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.status_code == 200


def test_given_revoke_then_the_token_is_refused_by_the_api(client):
    user = UserFactory(username="coordinator")
    token, secret = api_token_create(user=user)
    client.force_login(user)

    response = client.post(reverse("console:token_revoke", args=[token.token_key]))

    assert response.status_code == 302
    assert response["Location"] == reverse("console:tokens")
    api = client.__class__().get(reverse("api:studies"), HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.status_code == 401
    assert api.json() == {"detail": "Invalid token."}


def test_given_another_accounts_token_then_revoking_it_is_a_404_and_it_stays(client):
    token, _ = api_token_create(user=UserFactory(username="other"))
    client.force_login(UserFactory(username="coordinator"))

    response = client.post(reverse("console:token_revoke", args=[token.token_key]))

    assert response.status_code == 404
    assert (
        "No such token for this account (it may already be revoked)." in response.content.decode()
    )
    assert AuthToken.objects.filter(token_key=token.token_key).exists()


def test_given_a_get_to_revoke_then_405(client):
    token, _ = api_token_create(user=UserFactory(username="coordinator"))
    client.force_login(token.user)

    assert client.get(reverse("console:token_revoke", args=[token.token_key])).status_code == 405
