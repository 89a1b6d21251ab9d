"""Invitations: participants created with an unguessable link token and a public id."""

import secrets

from django.db import transaction

from study.models import Participant, Study

from .audit import Actor, audit_record

MAX_INVITATIONS = 10_000
# A label is PREFIX-NNN (at least three digits) and fits Participant.label.
LABEL_PREFIX_MAX = Participant._meta.get_field("label").max_length - 8


def new_public_id() -> str:
    return "P" + secrets.token_hex(5).upper()


@transaction.atomic
def invitations_create(
    *,
    study: Study,
    count: int,
    actor: Actor = None,
    synthetic: bool = False,
    label_prefix: str = "",
) -> list[Participant]:
    """``count`` new invitations; ``synthetic`` marks them as simulated participants;
    ``label_prefix`` labels them PREFIX-001, PREFIX-002, ... after the study's earlier links of
    that prefix."""
    if not 1 <= count <= MAX_INVITATIONS:
        raise ValueError(f"count must be between 1 and 10000, got {count}")
    if len(label_prefix) > LABEL_PREFIX_MAX:
        raise ValueError(f"label prefix must be at most {LABEL_PREFIX_MAX} characters")
    first = _label_next(study=study, prefix=label_prefix) if label_prefix else 0
    participants = [
        Participant(
            study=study,
            token=secrets.token_urlsafe(24),
            public_id=new_public_id(),
            synthetic=synthetic,
            label=f"{label_prefix}-{first + number:03d}" if label_prefix else "",
        )
        for number in range(count)
    ]
    Participant.objects.bulk_create(participants)
    detail = {
        "count": count,
        **({"synthetic": True} if synthetic else {}),
        **({"label_prefix": label_prefix} if label_prefix else {}),
    }
    audit_record(action="invitations.create", study=study, actor=actor, detail=detail)
    return participants


def _label_next(*, study: Study, prefix: str) -> int:
    """The number after the highest PREFIX-NNN label of the study's links (1 for the first)."""
    # Under the study's row lock: two batches of one prefix never share a number.
    Study.objects.select_for_update().filter(pk=study.pk).first()
    labels = Participant.objects.filter(study=study, label__startswith=f"{prefix}-")
    numbers = [
        int(tail)
        for tail in (label[len(prefix) + 1 :] for label in labels.values_list("label", flat=True))
        if tail.isascii() and tail.isdigit()
    ]
    return max(numbers, default=0) + 1
