"""Reads of the jobs done off the request (study.services.jobs)."""

from django.db.models import Count, Max, QuerySet

from study.models import Job, Response, Study

from .export_rows import exported_participants


def study_jobs(*, study: Study, kind: str | None = None) -> QuerySet[Job]:
    """The study's jobs, newest first, optionally of one kind."""
    jobs = Job.objects.filter(study=study).select_related("requested_by")
    return jobs.filter(kind=kind) if kind else jobs


def study_job(*, study: Study, public_id: str) -> Job | None:
    """One of the study's jobs by its public id, or None (another study's is None too)."""
    return study_jobs(study=study).filter(public_id=public_id).first()


def report_latest(*, study: Study, include_synthetic: bool) -> Job | None:
    """The study's newest finished report of these options, or None."""
    return (
        study_jobs(study=study, kind=Job.Kind.REPORT)
        .filter(status=Job.Status.DONE, params__include_synthetic=include_synthetic)
        .exclude(result_file="")
        .first()
    )


def report_fingerprint(*, study: Study, include_synthetic: bool) -> str:
    """A cheap mark of the data a report would be fitted on: the number and the newest of the
    exported participants' responses, and the number of those participants. Responses are
    never changed, only added; a withdrawal or a purge removes a participant: each changes
    the mark. (The fit itself is cached by the sha256 of the whole table, report_data.)"""
    participants = exported_participants(study=study, include_synthetic=include_synthetic)
    answered = Response.objects.filter(trial__participant__in=participants).aggregate(
        count=Count("pk"), newest=Max("pk")
    )
    return f"{participants.count()}:{answered['count']}:{answered['newest'] or 0}"


def report_current(*, study: Study, include_synthetic: bool) -> Job | None:
    """The newest finished report of these options fitted on the data as they are now."""
    latest = report_latest(study=study, include_synthetic=include_synthetic)
    if latest is None or latest.result.get("fingerprint") != report_fingerprint(
        study=study, include_synthetic=include_synthetic
    ):
        return None
    return latest


def report_pending(*, study: Study, include_synthetic: bool) -> Job | None:
    """A report job of these options that is queued or running, or None."""
    return (
        study_jobs(study=study, kind=Job.Kind.REPORT)
        .filter(
            status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
            params__include_synthetic=include_synthetic,
        )
        .first()
    )
