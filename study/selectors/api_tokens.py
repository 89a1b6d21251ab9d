"""An account's API tokens (study.services.tokens): what the console lists, never a secret."""

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from knox.models import AuthToken


def user_api_tokens(*, user: AbstractBaseUser) -> QuerySet[AuthToken]:
    """The user's live tokens, newest first (knox's digest, key, created, expiry)."""
    return AuthToken.objects.filter(user=user).order_by("-created")


def user_by_username(*, username: str) -> AbstractBaseUser | None:
    """The account of this username, or None."""
    return get_user_model().objects.filter(username=username).first()
