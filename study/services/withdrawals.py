"""Withdrawal at any time: by the participant (a link on every page from consent on, or the
debrief's choice) or by a researcher (console, API, admin), who gives the reason.

What is kept is the fact, the time, the step the participant was at and who asked (and a
researcher's reason); a withdrawn participant's answers never reach an export or an analysis
(study.selectors.export_rows.exported_participants). A repeated withdrawal changes nothing."""

from typing import Final, Literal

from django.db import transaction
from django.utils import timezone

from study.models import Participant
from study.selectors.participants import participant_current_step
from study.selectors.roster import WITHDRAWABLE

from .audit import Actor, audit_record

# Who asked for the withdrawal (Participant.withdrawn_by).
WithdrawnBy = Literal["participant", "researcher"]
WITHDRAWN_BY: Final = ("participant", "researcher")
WITHDRAWAL_REASON_MAX = 2000
WITHDRAWAL_REASON_REQUIRED = (
    "Give the reason for this withdrawal: it is kept with the participant's record."
)
# Why the participants outside WITHDRAWABLE have nothing to withdraw: they never took part.
_NEVER_TOOK_PART = {
    Participant.Status.DECLINED: "declined to take part",
    Participant.Status.INELIGIBLE: "was screened out",
    Participant.Status.STRATUM_FULL: "was not enrolled (stratum full)",
    Participant.Status.REISSUED: "lost their slot to another participant",
}


class WithdrawalInvalid(ValueError):
    """A withdrawal asked for wrongly (no reason from a researcher, an unknown requester)."""


class WithdrawalRefused(Exception):
    """The participant has nothing to withdraw (they never took part)."""


def _locked(participant: Participant) -> Participant:
    return (
        Participant.objects.select_for_update(of=("self",))
        .select_related("study")
        .get(pk=participant.pk)
    )


def _reason_clean(*, by: str, reason: str) -> str:
    if by not in WITHDRAWN_BY:
        raise WithdrawalInvalid(f"by: must be 'participant' or 'researcher', got {by!r}")
    reason = (reason or "").strip()
    if by == "researcher" and not reason:
        raise WithdrawalInvalid(WITHDRAWAL_REASON_REQUIRED)
    if len(reason) > WITHDRAWAL_REASON_MAX:
        raise WithdrawalInvalid(
            f"The reason is {len(reason)} characters long; at most {WITHDRAWAL_REASON_MAX}."
        )
    return reason


@transaction.atomic
def participant_withdraw(
    *,
    participant: Participant,
    actor: Actor = None,
    by: WithdrawnBy,
    reason: str = "",
) -> Participant:
    """Withdraw the participant at whatever step they are (consent .. done) and record that
    step, the time, who asked and why (a researcher must say why). The audit event carries the
    step and who asked, never the reason (free text) or the participant's token."""
    reason = _reason_clean(by=by, reason=reason)
    participant = _locked(participant)
    if participant.status == Participant.Status.WITHDRAWN:
        return participant  # a second click, a resent form or a second tab changes nothing
    if participant.status not in WITHDRAWABLE:
        never = _NEVER_TOOK_PART.get(participant.status, "never took part")
        raise WithdrawalRefused(
            f"Participant {participant.public_id} {never}: there is nothing to withdraw."
        )
    step = participant_current_step(participant=participant).name
    participant.status = Participant.Status.WITHDRAWN
    participant.withdrawn_at = timezone.now()
    participant.withdrawn_step = step
    participant.withdrawn_by = by
    participant.withdrawal_reason = reason
    participant.save(
        update_fields=[
            "status",
            "withdrawn_at",
            "withdrawn_step",
            "withdrawn_by",
            "withdrawal_reason",
        ]
    )
    audit_record(
        action="participant.withdrawn",
        study=participant.study,
        actor=actor,
        participant=participant,
        detail={"step": step, "by": by},
    )
    return participant
