"""API tokens for scripts (django-rest-knox): an account creates and revokes its own.

Rule: the token's secret is shown once, when it is made, and never stored (knox keeps its
digest); the audit log names a token by its key, the secret's first characters knox looks it
up by, never by the secret."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from knox.models import AuthToken

from .audit import audit_record


class TokenError(ValueError):
    """The token asked for is not one of the account's."""


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, via: str = "console") -> tuple[AuthToken, str]:
    """A new token of the user's, and its secret (the only time it is known)."""
    if not user.is_active:
        raise TokenError(f"Account '{user.get_username()}' is inactive: it may not hold tokens.")
    token, secret = AuthToken.objects.create(user=user, expiry=None)
    audit_record(
        action="api_token.create", actor=user, detail={"token_key": token.token_key, "via": via}
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, user: AbstractBaseUser, token_key: str, via: str = "console") -> None:
    """Revoke one of the user's tokens by its key; TokenError for a key the user does not hold."""
    deleted, _ = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    if not deleted:
        raise TokenError("No such token for this account (it may already be revoked).")
    audit_record(action="api_token.revoke", actor=user, detail={"token_key": token_key, "via": via})


@transaction.atomic
def api_tokens_revoke_all(*, user: AbstractBaseUser, via: str = "console") -> int:
    """Revoke every token of the user's; how many there were."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    audit_record(action="api_token.revoke_all", actor=user, detail={"count": deleted, "via": via})
    return deleted
