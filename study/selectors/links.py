"""Invitation links as the console lists them: one status per link, derived from the
participant's status (never the token: the console builds the link only where it must show it),
with the e-mail state of an e-mailed link (never its address)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from django.db.models import QuerySet

from study.models import InvitationEmail, Participant, Study

Status = Participant.Status
# A link's status: (code, words), in the order the console's filter offers them.
LINK_STATUSES: Final[tuple[tuple[str, str], ...]] = (
    ("unused", "Unused"),
    ("consented", "Consented"),
    ("in_progress", "In progress"),
    ("completed", "Completed"),
    ("withdrawn", "Withdrawn"),
    ("revoked", "Revoked"),
    ("declined", "Declined consent"),
    ("screened_out", "Screened out"),
    ("timed_out", "Timed out (slot reissued)"),
)
LINK_STATUS_WORDS: Final = dict(LINK_STATUSES)
# The participant statuses behind each link status.
_LINK_STATUS_OF: Final[dict[str, str]] = {
    Status.INVITED: "unused",
    Status.CONSENTED: "consented",
    Status.IN_PROGRESS: "in_progress",
    Status.COMPLETED: "completed",
    Status.WITHDRAWN: "withdrawn",
    Status.REVOKED: "revoked",
    Status.DECLINED: "declined",
    Status.INELIGIBLE: "screened_out",
    Status.STRATUM_FULL: "screened_out",
    Status.REISSUED: "timed_out",
}
# Participants whose link may still be revoked: nobody has used it.
REVOCABLE: Final = (Status.INVITED,)
# No reminder goes to these: they finished, left, were turned away or their link was withdrawn.
NOT_REMINDED: Final = (
    Status.COMPLETED,
    Status.WITHDRAWN,
    Status.REVOKED,
    Status.DECLINED,
    Status.INELIGIBLE,
    Status.STRATUM_FULL,
    Status.REISSUED,
)


def link_status(*, participant: Participant) -> str:
    """The link's status code (a key of LINK_STATUS_WORDS) from the participant's status."""
    return _LINK_STATUS_OF[participant.status]


def link_statuses_participant(*, link_status_code: str) -> list[str]:
    """The participant statuses a link status stands for (empty for an unknown code)."""
    return [status for status, code in _LINK_STATUS_OF.items() if code == link_status_code]


@dataclass(frozen=True)
class EmailState:
    """What the console says of a link's e-mail: none, sent (when), reminders, unsubscribed."""

    invited: bool
    sent_at: datetime | None = None
    reminders: int = 0
    unsubscribed_at: datetime | None = None
    last_error: str = ""

    @property
    def words(self) -> str:
        if not self.invited:
            return "none"
        if self.unsubscribed_at is not None:
            return f"unsubscribed {self.unsubscribed_at:%Y-%m-%d %H:%M}"
        if self.sent_at is None:
            return f"not sent: {self.last_error}" if self.last_error else "queued"
        words = f"sent {self.sent_at:%Y-%m-%d %H:%M}"
        if self.reminders:
            words += f", {self.reminders} reminder{'s' if self.reminders != 1 else ''}"
        if self.last_error:
            words += f" (last attempt failed: {self.last_error})"
        return words


@dataclass(frozen=True)
class LinkRow:
    public_id: str
    label: str
    status: str
    status_words: str
    invited_at: datetime
    email: EmailState
    revocable: bool


def email_state(*, participant: Participant) -> EmailState:
    try:
        email = participant.invitation_email
    except InvitationEmail.DoesNotExist:
        return EmailState(invited=False)
    return EmailState(
        invited=True,
        sent_at=email.invitation_sent_at,
        reminders=email.reminders_sent,
        unsubscribed_at=email.unsubscribed_at,
        last_error=email.last_error,
    )


def study_links(*, study: Study, status: str = "") -> QuerySet[Participant]:
    """The study's invitation links (participants by invitation order), with their e-mail row;
    ``status`` (a LINK_STATUSES code, empty for all) keeps only the links in that status."""
    links = Participant.objects.filter(study=study).select_related("invitation_email")
    if status:
        links = links.filter(status__in=link_statuses_participant(link_status_code=status))
    return links.order_by("invited_at", "id")


def link_row(*, participant: Participant) -> LinkRow:
    """One row of the console's list of links."""
    status = link_status(participant=participant)
    return LinkRow(
        public_id=participant.public_id,
        label=participant.label,
        status=status,
        status_words=LINK_STATUS_WORDS[status],
        invited_at=participant.invited_at,
        email=email_state(participant=participant),
        revocable=participant.status in REVOCABLE,
    )


def invitation_email_by_unsubscribe_token(*, token: str) -> InvitationEmail | None:
    """The e-mail row behind an unsubscribe link (with its study), or None."""
    if not token or len(token) > 64 or "\x00" in token:
        return None
    return (
        InvitationEmail.objects.select_related("participant__study")
        .filter(unsubscribe_token=token)
        .first()
    )


def invitation_email_sent(*, email_id: int) -> bool:
    """Whether the invitation of this e-mail row has gone out."""
    return InvitationEmail.objects.filter(pk=email_id, invitation_sent_at__isnull=False).exists()
