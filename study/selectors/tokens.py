"""Whether a participant-surface token exists: the rate limiter's test of a guess."""

from study.models import Participant, Study

from .participants import token_plausible


def token_known(*, kind: str, token: str) -> bool:
    """True when `token` is an invitation (kind "p") or an open-enrolment link (kind "s").

    A token that could never have been issued (token_plausible) is never known."""
    if not token_plausible(token):
        return False
    if kind == "p":
        return Participant.objects.filter(token=token).exists()
    if kind == "s":
        return Study.objects.filter(self_enrolment_token=token).exists()
    return False
