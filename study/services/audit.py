"""The one way to write an audit event, so every write path logs the same shape."""

from typing import Any

from study.models import AuditEvent, Participant, Study
from study.permissions import Actor  # who did it; the other services import it from here


def audit_record(
    *,
    action: str,
    study: Study | None = None,
    actor: Actor = None,
    participant: Participant | None = None,
    # Any: the detail is free-form JSON (counts, codes, lists of field names) per action.
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """An anonymous or missing actor (the system, a participant) is stored as no actor."""
    return AuditEvent.objects.create(
        study=study,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        participant_public_id=participant.public_id if participant else "",
        action=action,
        detail=detail or {},
    )
