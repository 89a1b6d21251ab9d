"""The one way to write an audit event, so every write path logs the same shape."""

from typing import Any

from study.models import AuditEvent, Participant, Study


def audit_record(
    *,
    action: str,
    study: Study | None = None,
    actor: Any = None,
    participant: Participant | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        study=study,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        participant_public_id=participant.public_id if participant else "",
        action=action,
        detail=detail or {},
    )
