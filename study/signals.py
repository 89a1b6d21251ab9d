"""Console sign-ins in the audit log: every login, logout and failed login (the console's and the
admin's, both Django's auth views) as console.login, console.logout and console.login_failed.

The detail is the username (the attempted one for a failure, cut to the field's 150 characters)
and the client's address (REMOTE_ADDR, or behind PROXY_COUNT proxies the address they saw:
study.ratelimit.client_address; None when no request is given, e.g. a test's force_login):
never the password nor any other credential. No study is involved (study=None).
Every attempt is recorded, the ones refused during a lockout included. The lockout itself is
django-axes' (five failures for one username from one address, AXES_* in config/settings.py);
it is recorded here as console.login_locked_out, once per cool-off period."""

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from study.ratelimit import client_address
from study.services.audit import audit_record, audit_record_once

USERNAME_MAX = 150  # AbstractUser.username's max_length


def _detail(username: str, request: HttpRequest | None) -> dict[str, str | None]:
    return {
        "username": username[:USERNAME_MAX],
        "ip": client_address(request) if request is not None else None,
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


def console_lockout_audit(
    *, request: HttpRequest | None, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    # axes signals a lockout on every refused attempt; the audit keeps one per cool-off period
    # (each refused attempt is still a console.login_failed event).
    audit_record_once(
        action="console.login_locked_out",
        within=settings.AXES_COOLOFF_TIME,
        detail={"username": (username or "")[:USERNAME_MAX], "ip": ip_address},
    )


def connect() -> None:
    """Called once from StudyConfig.ready(); the dispatch_uids keep a second call harmless."""
    user_logged_in.connect(console_login_audit, dispatch_uid="study.console_login_audit")
    user_logged_out.connect(console_logout_audit, dispatch_uid="study.console_logout_audit")
    user_login_failed.connect(
        console_login_failed_audit, dispatch_uid="study.console_login_failed_audit"
    )
    user_locked_out.connect(console_lockout_audit, dispatch_uid="study.console_lockout_audit")
