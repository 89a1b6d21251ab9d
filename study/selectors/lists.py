"""The API's filtered lists (study.api): each a queryset in a stable order, so that its pages
never overlap; the filters' values are already validated by the caller."""

from datetime import datetime

from django.db.models import QuerySet

from study.models import AuditEvent, Case, Job, Participant, Study


def studies_listed(*, studies: QuerySet[Study], status: str = "") -> QuerySet[Study]:
    """The given (visible) studies with their arms, by slug; ``status`` keeps one status."""
    listed = studies.prefetch_related("arms").order_by("slug")
    return listed.filter(status=status) if status else listed


def study_cases_listed(
    *, study: Study, review_status: str = "", is_training: bool | None = None
) -> QuerySet[Case]:
    """The study's cases in their order, optionally of one review status and training flag."""
    cases = study.cases.order_by("position", "code", "id")
    if review_status:
        cases = cases.filter(review_status=review_status)
    if is_training is not None:
        cases = cases.filter(is_training=is_training)
    return cases


def study_participants_listed(
    *,
    study: Study,
    status: str = "",
    stratum: str = "",
    arm: str = "",
    label: str = "",
    synthetic: bool | None = None,
) -> QuerySet[Participant]:
    """The study's participants in invitation order with their arms; ``label`` matches labels
    starting with it (a prefix names a batch of links), the others match exactly."""
    participants = study.participants.select_related("arm").order_by("invited_at", "id")
    if status:
        participants = participants.filter(status=status)
    if stratum:
        participants = participants.filter(stratum=stratum)
    if arm:
        participants = participants.filter(arm__code=arm)
    if label:
        participants = participants.filter(label__startswith=label)
    if synthetic is not None:
        participants = participants.filter(synthetic=synthetic)
    return participants


def study_jobs_listed(*, study: Study, kind: str = "", status: str = "") -> QuerySet[Job]:
    """The study's jobs, newest first, optionally of one kind and status."""
    jobs = Job.objects.filter(study=study).select_related("requested_by").order_by("-id")
    if kind:
        jobs = jobs.filter(kind=kind)
    if status:
        jobs = jobs.filter(status=status)
    return jobs


def study_audit_listed(
    *,
    study: Study,
    action: str = "",
    actor: str = "",
    participant: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The study's audit events, newest first; ``action`` matches an action or, ending in a
    dot, every action it starts ("job."), ``actor`` a username, ``since``/``until`` bound the
    time (inclusive, exclusive)."""
    events = AuditEvent.objects.filter(study=study).select_related("actor").order_by("-id")
    if action:
        events = (
            events.filter(action__startswith=action)
            if action.endswith(".")
            else events.filter(action=action)
        )
    if actor:
        events = events.filter(actor__username=actor)
    if participant:
        events = events.filter(participant_public_id=participant)
    if since is not None:
        events = events.filter(created_at__gte=since)
    if until is not None:
        events = events.filter(created_at__lt=until)
    return events
