"""What the bots (study.bots, ``manage.py run_bots``) write outside the participant pages they
drive: their own invitations, or the synthetic flag on a participant an open link created for a
bot. Both only where simulated participants are allowed (synthetic_allowed_check)."""

from django.db import transaction

from study.models import Participant, Study

from .audit import audit_record
from .invitations import invitations_create
from .participants import ParticipantStateError
from .synthetic import synthetic_allowed_check


@transaction.atomic
def bot_invitations_create(*, study: Study, count: int) -> list[str]:
    """``count`` fresh invitations for bots, flagged synthetic; answers their link tokens."""
    synthetic_allowed_check(study=study)
    return [
        participant.token
        for participant in invitations_create(study=study, count=count, synthetic=True)
    ]


@transaction.atomic
def bot_participant_mark(*, token: str) -> Participant:
    """Flag the participant an open link just created for a bot as synthetic, before it has
    consented or answered anything (a participant who has is never relabelled)."""
    participant = (
        Participant.objects.select_for_update().select_related("study").filter(token=token).first()
    )
    if participant is None:
        raise ParticipantStateError("No participant has this link.")
    synthetic_allowed_check(study=participant.study)
    if participant.status != Participant.Status.INVITED:
        raise ParticipantStateError(
            f"Participant {participant.public_id} has already {participant.status}: only a "
            "participant who has not consented yet can be marked as a bot."
        )
    if not participant.synthetic:
        participant.synthetic = True
        participant.save(update_fields=["synthetic"])
        audit_record(
            action="participant.synthetic",
            study=participant.study,
            participant=participant,
            detail={"by": "bots"},
        )
    return participant
