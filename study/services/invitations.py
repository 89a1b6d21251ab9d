"""Invitations: participants created with an unguessable link token and a public id."""

import secrets

from django.db import transaction

from study.models import Participant, Study

from .audit import Actor, audit_record

MAX_INVITATIONS = 10_000


def new_public_id() -> str:
    return "P" + secrets.token_hex(5).upper()


@transaction.atomic
def invitations_create(
    *, study: Study, count: int, actor: Actor = None, synthetic: bool = False
) -> list[Participant]:
    """``count`` new invitations; ``synthetic`` marks them as simulated participants."""
    if not 1 <= count <= MAX_INVITATIONS:
        raise ValueError(f"count must be between 1 and 10000, got {count}")
    participants = [
        Participant(
            study=study,
            token=secrets.token_urlsafe(24),
            public_id=new_public_id(),
            synthetic=synthetic,
        )
        for _ in range(count)
    ]
    Participant.objects.bulk_create(participants)
    detail = {"count": count, **({"synthetic": True} if synthetic else {})}
    audit_record(action="invitations.create", study=study, actor=actor, detail=detail)
    return participants
