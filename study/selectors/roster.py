"""A study's participants as the console and the API list them: by public id (never the token),
with their answer count, newest invitation last."""

from django.db.models import Count, Q, QuerySet

from study.models import Participant, Study

# Participants who can be withdrawn: taking part now, or finished. The others (declined,
# screened out, stratum full, slot reissued) never took part, so there is nothing to withdraw.
WITHDRAWABLE = (
    Participant.Status.INVITED,
    Participant.Status.CONSENTED,
    Participant.Status.IN_PROGRESS,
    Participant.Status.COMPLETED,
)
PUBLIC_ID_MAX = 16  # the model's max_length: a longer public id was never issued


def study_participant(*, study: Study, public_id: str) -> Participant | None:
    """The study's participant with this public id, or None (another study's is None too)."""
    if "\x00" in public_id or len(public_id) > PUBLIC_ID_MAX:
        return None  # could never match, and PostgreSQL refuses NUL in text
    return study.participants.select_related("study").filter(public_id=public_id).first()


def study_participant_list(*, study: Study, search: str = "") -> QuerySet[Participant]:
    """The study's participants in invitation order, each with ``answered`` (trials answered);
    ``search`` matches a public id or a completion code exactly (case-insensitive)."""
    participants = study.participants.select_related("arm")
    search = search.strip()
    if search:
        participants = participants.filter(
            Q(public_id__iexact=search) | Q(completion_code__iexact=search)
        )
    return participants.annotate(answered=Count("trials__response")).order_by("invited_at", "id")
