"""Work done off the request: one Job row per piece of work, run by the Celery task
``study.tasks.job_run`` (config/celery.py), or in process when no broker is configured.

Rules: ``job_start`` checks the actor's permission for the kind (study.permissions), records the
job and its audit event in one transaction and hands it to the queue only once that is
committed. ``job_execute`` takes the job under a row lock, so two deliveries of one task (Celery
acknowledges late, and redelivers when a worker dies) run it once to an end: a job already done
or failed is left as it is. A runner (one per kind, ``job_runner``) does the work, reports
progress and returns an Outcome; a runner's own ``JobRefused`` (a ValueError) fails the job with
its message, anything else fails it with its type and message, logged with the traceback."""

import io
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, Final

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from study import permissions
from study.core.sealed import SealError, key_derive, seal, unseal
from study.models import Job, Study

from .audit import Actor, audit_record

log = logging.getLogger(__name__)

TASK_NAME: Final = "study.tasks.job_run"
# What each kind asks of the requesting account (None: the site itself, a command or beat).
KIND_ACTION: Final[dict[str, permissions.Action]] = {
    Job.Kind.REPORT: permissions.READ,
    Job.Kind.POWER: permissions.READ,
    Job.Kind.EXPORT: permissions.READ,
    Job.Kind.IMPORT: permissions.WRITE,
    Job.Kind.EMAIL: permissions.WRITE,
}
MESSAGE_MAX: Final = Job._meta.get_field("message").max_length


class JobRefused(ValueError):
    """The job cannot do what it was asked: the message says why, in words for the team;
    ``result`` (JSON) is kept with the failed job (what kind of refusal, a report)."""

    def __init__(self, message: str, *, result: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.result = result or {}


@dataclass(frozen=True)
class Outcome:
    """What a runner made: a line for people, a small JSON result and, optionally, a file
    (``content`` bytes or an open binary ``handle``) named ``name`` of ``content_type``."""

    message: str
    # Any: the kind's own JSON result (counts, a per-file report, a power estimate).
    result: dict[str, Any] = field(default_factory=dict)
    content: bytes | None = None
    handle: IO[bytes] | None = None
    name: str = ""
    content_type: str = ""
    data_sha256: str = ""


class Progress:
    """A runner's progress reporter: ``progress(done, total, message)`` writes the job's
    counters at once (its own UPDATE, visible to the console while the runner works, unless
    the runner holds a transaction open)."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        changes: dict[str, Any] = {"progress_done": max(0, done)}
        if total is not None:
            changes["progress_total"] = max(0, total)
        if message:
            changes["message"] = message[:MESSAGE_MAX]
        Job.objects.filter(pk=self.job.pk).update(**changes)
        for name, value in changes.items():
            setattr(self.job, name, value)


Runner = Callable[[Job, Progress], Outcome]
_RUNNERS: dict[str, Runner] = {}


def job_runner(kind: str) -> Callable[[Runner], Runner]:
    """Register the runner of a kind (study/services/job_runners.py and the kinds' modules)."""

    def register(runner: Runner) -> Runner:
        _RUNNERS[kind] = runner
        return runner

    return register


def new_job_id() -> str:
    return "J" + secrets.token_hex(6).upper()


def job_start(
    *,
    study: Study,
    kind: str,
    actor: Actor = None,
    params: dict[str, Any] | None = None,
    input_file: File | None = None,
    input_name: str = "input",
) -> Job:
    """Record a job of ``kind`` for the study and queue it. With no broker it has run by the
    time this returns (the job returned is as it ended); with one, it is queued."""
    if kind not in KIND_ACTION:
        raise JobRefused(f"Unknown kind of job '{kind}': one of {', '.join(KIND_ACTION)}.")
    if actor is not None:
        permissions.study_require(study=study, user=actor, action=KIND_ACTION[kind])
    params = dict(params or {})
    if kind == Job.Kind.POWER:
        from .power_runs import power_params  # the analysis package loads on first use

        params = power_params(study=study, params=params)
    if kind in (Job.Kind.REPORT, Job.Kind.EXPORT):
        # Spelled out, so "the same options" is one JSON lookup (the report cache).
        params["include_synthetic"] = bool(params.get("include_synthetic"))
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    data = None
    if input_file is not None:
        input_file.seek(0)
        data = input_file.read()
    with transaction.atomic():
        job = Job.objects.create(
            public_id=new_job_id(),
            study=study,
            kind=kind,
            requested_by=actor if getattr(actor, "is_authenticated", False) else None,
            params=params,
            message="Waiting for a worker.",
        )
        if data is not None and not eager:
            # Waiting for a worker: sealed at rest (an archive's DICOM headers are not yet
            # de-identified). In process, the input never leaves memory.
            sealed = seal(data, _input_key(job))
            job.input_file.save(f"{job.public_id}/{input_name}.sealed", ContentFile(sealed))
        audit_record(
            action="job.start",
            study=study,
            actor=actor,
            detail={"job": job.public_id, "kind": kind, **_audited(params)},
        )
    if eager:
        return job_execute(job_id=job.pk, memory_input=data)
    transaction.on_commit(lambda: _send(job.pk))
    return job


def _input_key(job: Job) -> bytes:
    return key_derive(settings.SECRET_KEY, f"trustlab-job-input:{job.public_id}")


def job_input(job: Job) -> io.BytesIO:
    """The job's uploaded input, unsealed, in memory; JobRefused when it is gone or changed."""
    memory_input = getattr(job, "memory_input", None)
    if memory_input is not None:
        return io.BytesIO(memory_input)
    if not job.input_file:
        raise JobRefused("The uploaded file of this job is no longer there: upload it again.")
    with job.input_file.open("rb") as stored:
        sealed = stored.read()
    try:
        return io.BytesIO(unseal(sealed, _input_key(job)))
    except SealError as error:
        raise JobRefused(f"The uploaded file of this job cannot be read: {error}.") from error


def _send(job_id: int) -> None:
    from config.celery import app  # the broker connection is the Celery app's

    app.send_task(TASK_NAME, args=[job_id])


def _audited(params: dict[str, Any]) -> dict[str, Any]:
    # Scalars only: a power plan or a long list stays in the job, not in the audit log.
    return {k: v for k, v in params.items() if isinstance(v, bool | int | float | str)}


def job_execute(*, job_id: int, memory_input: bytes | None = None) -> Job:
    """Run the job once to an end (the Celery task's body); a finished job is left alone.
    ``memory_input``: the upload, when the job runs in the process that received it."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (Job.Status.DONE, Job.Status.FAILED):
            return job
        job.status = Job.Status.RUNNING
        job.started_at = timezone.now()
        job.message = "Running."
        job.save(update_fields=["status", "started_at", "message"])
    job.memory_input = memory_input
    progress = Progress(job)
    try:
        runner = _RUNNERS.get(job.kind)
        if runner is None:
            raise JobRefused(f"No runner is installed for {job.get_kind_display().lower()} jobs.")
        outcome = runner(job, progress)
    except JobRefused as refused:
        return _failed(job, str(refused), error="", result=refused.result)
    except Exception as error:
        log.exception("job %s (%s) failed", job.public_id, job.kind)
        return _failed(
            job,
            f"The job stopped on an error ({type(error).__name__}): {error}",
            error=repr(error),
        )
    try:
        return _done(job, outcome)
    except Exception as error:
        log.exception("job %s (%s): its result could not be stored", job.public_id, job.kind)
        return _failed(
            job,
            f"The result could not be stored ({type(error).__name__}): {error}",
            error=repr(error),
        )
    finally:
        if outcome.handle is not None:
            outcome.handle.close()


def _input_discard(job: Job) -> None:
    # Read once, whatever came of it: an upload never outlives its job.
    if job.input_file:
        job.input_file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(input_file="")


def _done(job: Job, outcome: Outcome) -> Job:
    _input_discard(job)
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if outcome.content is not None or outcome.handle is not None:
            stored = (
                ContentFile(outcome.content)
                if outcome.content is not None
                else File(outcome.handle)
            )
            job.result_file.save(f"{job.public_id}/{outcome.name}", stored, save=False)
            job.result_name = outcome.name
            job.result_type = outcome.content_type
        job.status = Job.Status.DONE
        job.message = outcome.message[:MESSAGE_MAX]
        job.result = outcome.result
        job.data_sha256 = outcome.data_sha256
        job.finished_at = timezone.now()
        if job.progress_total is not None:
            job.progress_done = job.progress_total
        job.save()
        audit_record(
            action="job.done",
            study=job.study,
            actor=job.requested_by,
            detail={"job": job.public_id, "kind": job.kind},
        )
    return job


def _failed(job: Job, message: str, *, error: str, result: dict[str, Any] | None = None) -> Job:
    _input_discard(job)
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED,
            result=result or {},
            message=message[:MESSAGE_MAX],
            error=error,
            finished_at=timezone.now(),
        )
        audit_record(
            action="job.failed",
            study=job.study,
            actor=job.requested_by,
            detail={"job": job.public_id, "kind": job.kind, "message": message[:MESSAGE_MAX]},
        )
    return Job.objects.get(pk=job.pk)
