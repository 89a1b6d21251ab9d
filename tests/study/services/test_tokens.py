"""API tokens: made with their secret shown once, revoked by their key, each audited by key
(never by secret); only the account's own tokens can be revoked."""

import pytest
from knox.models import AuthToken

from study.models import AuditEvent
from study.services.tokens import (
    TokenError,
    api_token_create,
    api_token_revoke,
    api_tokens_revoke_all,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_given_a_new_token_then_only_its_digest_is_stored_and_its_key_audited():
    user = UserFactory(username="stat")

    token, secret = api_token_create(user=user)

    assert len(secret) == 64
    assert token.token_key == secret[:15]
    assert token.expiry is None  # valid until revoked
    stored = AuthToken.objects.get(user=user)
    assert secret not in (stored.digest, stored.token_key)
    event = AuditEvent.objects.get(action="api_token.create")
    assert (event.actor, event.detail) == (user, {"token_key": secret[:15], "via": "console"})
    assert secret not in str(event.detail)


def test_given_a_token_when_revoked_then_it_is_gone_and_audited():
    user = UserFactory(username="stat")
    token, _ = api_token_create(user=user)
    kept, _ = api_token_create(user=user)

    api_token_revoke(user=user, token_key=token.token_key, via="command")

    assert list(AuthToken.objects.values_list("token_key", flat=True)) == [kept.token_key]
    event = AuditEvent.objects.get(action="api_token.revoke")
    assert event.detail == {"token_key": token.token_key, "via": "command"}


def test_given_another_accounts_token_then_it_cannot_be_revoked():
    owner = UserFactory(username="owner")
    token, _ = api_token_create(user=owner)

    with pytest.raises(TokenError) as refusal:
        api_token_revoke(user=UserFactory(username="other"), token_key=token.token_key)

    assert str(refusal.value) == "No such token for this account (it may already be revoked)."
    assert AuthToken.objects.filter(user=owner).count() == 1
    assert not AuditEvent.objects.filter(action="api_token.revoke").exists()


def test_given_revoke_all_then_every_token_of_the_account_and_no_other_goes():
    user, other = UserFactory(username="stat"), UserFactory(username="other")
    for _ in range(3):
        api_token_create(user=user)
    api_token_create(user=other)

    assert api_tokens_revoke_all(user=user) == 3

    assert list(AuthToken.objects.values_list("user__username", flat=True)) == ["other"]
    assert AuditEvent.objects.get(action="api_token.revoke_all").detail == {
        "count": 3,
        "via": "console",
    }


def test_given_an_inactive_account_then_no_token_is_made():
    user = UserFactory(username="gone", is_active=False)

    with pytest.raises(TokenError) as refusal:
        api_token_create(user=user)

    assert str(refusal.value) == "Account 'gone' is inactive: it may not hold tokens."
    assert not AuthToken.objects.exists()
