"""Console sign-ins in the audit log: every login, logout and failed login (the console's and the
admin's, both Django's auth views) as console.login, console.logout and console.login_failed.

The detail is the username (the attempted one for a failure, cut to the field's 150 characters)
and the client's address (REMOTE_ADDR; None when no request is given, e.g. a test's
force_login): never the password nor any other credential. No study is involved (study=None).
Lockout after repeated failures is not done here (django-axes is not installed): this only
records."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from study.services.audit import audit_record

USERNAME_MAX = 150  # AbstractUser.username's max_length


def _detail(username: str, request: HttpRequest | None) -> dict[str, str | None]:
    return {
        "username": username[:USERNAME_MAX],
        "ip": request.META.get("REMOTE_ADDR") if request is not None else None,
    }


# Any in **kwargs: the signal's own arguments (signal, sender), not used.
def console_login_audit(
    *, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any
) -> None:
    audit_record(action="console.login", actor=user, detail=_detail(user.get_username(), request))


def console_logout_audit(
    *, request: HttpRequest | None, user: AbstractBaseUser | None, **kwargs: Any
) -> None:
    if user is None:  # nobody was signed in: nothing was logged out
        return
    audit_record(action="console.logout", actor=user, detail=_detail(user.get_username(), request))


def console_login_failed_audit(
    # Any: Django's credentials as given to authenticate() (its password already masked).
    *,
    credentials: dict[str, Any],
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    attempted = credentials.get(get_user_model().USERNAME_FIELD)
    audit_record(
        action="console.login_failed",
        detail=_detail(attempted if isinstance(attempted, str) else "", request),
    )


def connect() -> None:
    """Called once from StudyConfig.ready(); the dispatch_uids keep a second call harmless."""
    user_logged_in.connect(console_login_audit, dispatch_uid="study.console_login_audit")
    user_logged_out.connect(console_logout_audit, dispatch_uid="study.console_logout_audit")
    user_login_failed.connect(
        console_login_failed_audit, dispatch_uid="study.console_login_failed_audit"
    )
