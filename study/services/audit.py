"""The one way to write an audit event, so every write path logs the same shape."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

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


def audit_record_once(
    *,
    action: str,
    within: timedelta,
    # Any: as audit_record's detail.
    detail: dict[str, Any],
) -> AuditEvent | None:
    """Record a site event (no study) unless the same action with the same detail was recorded
    in the last `within`: a repeated condition (a sign-in lockout hammered by its attacker) is
    one event, not one per request. None when it was already recorded."""
    since = timezone.now() - within
    if AuditEvent.objects.filter(
        action=action, study=None, detail=detail, created_at__gte=since
    ).exists():
        return None
    return audit_record(action=action, detail=detail)
