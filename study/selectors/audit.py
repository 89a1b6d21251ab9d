"""The study's audit log as the console reads it: newest first, filtered by action, actor,
date (UTC) and participant; the choices the filters offer are what the log holds."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from study.models import AuditEvent, Study

# The actor filter's value for events without a user (a participant's step, the system).
NO_ACTOR = "-"


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""  # "": any
    actor: str = ""  # a username, NO_ACTOR, or "": anyone
    since: date | None = None  # inclusive, UTC day
    until: date | None = None  # inclusive, UTC day
    participant: str = ""  # a public id, any case


def study_audit_events(
    *, study: Study, limit: int | None = None, filters: AuditFilters | None = None
) -> QuerySet[AuditEvent]:
    """The study's audit events, newest first, with their actors; ``filters`` narrow them and
    ``limit`` keeps the newest so many."""
    events = study.audit_events.select_related("actor").order_by("-created_at", "-id")
    filters = filters or AuditFilters()
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.actor == NO_ACTOR:
        events = events.filter(actor__isnull=True)
    elif filters.actor:
        events = events.filter(actor__username=filters.actor)
    if filters.since:
        events = events.filter(created_at__date__gte=filters.since)
    if filters.until:
        events = events.filter(created_at__date__lte=filters.until)
    if filters.participant:
        events = events.filter(participant_public_id__iexact=filters.participant)
    return events[:limit] if limit is not None else events


def study_audit_choices(*, study: Study) -> tuple[list[str], list[str]]:
    """(actions, usernames) that occur in the study's log, each sorted: what the filters offer."""
    events = study.audit_events.order_by()
    actions = sorted(set(events.values_list("action", flat=True)))
    actors = sorted(
        set(events.filter(actor__isnull=False).values_list("actor__username", flat=True))
    )
    return actions, actors
