"""The one way to write an audit event, so every write path logs the same shape."""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from study.models import AuditEvent, Participant, Study

# Who did it: a console user; anonymous or None (the system, a participant) is stored as no actor.
Actor = AbstractBaseUser | AnonymousUser | None


def audit_record(
    *,
    action: str,
    study: Study | None = None,
    actor: Actor = None,
    participant: Participant | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        study=study,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        participant_public_id=participant.public_id if participant else "",
        action=action,
        detail=detail or {},
    )
