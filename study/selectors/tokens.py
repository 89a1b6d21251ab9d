"""Whether a participant-surface token exists: the rate limiter's test of a guess."""

from study.models import Participant, Study

TOKEN_MAX = 64  # longer than any token we issue (secrets.token_urlsafe(24) is 32 characters)


def token_known(*, kind: str, token: str) -> bool:
    """True when `token` is an invitation (kind "p") or an open-enrolment link (kind "s").

    A token with a NUL or longer than TOKEN_MAX is never known (PostgreSQL refuses NUL in text)."""
    if not token or "\x00" in token or len(token) > TOKEN_MAX:
        return False
    if kind == "p":
        return Participant.objects.filter(token=token).exists()
    if kind == "s":
        return Study.objects.filter(self_enrolment_token=token).exists()
    return False
