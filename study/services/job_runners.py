"""The runners of the report, export and case-import jobs (study.services.jobs); the other
kinds register theirs in their own modules.

Rule: a report is cached by the sha256 of the trials table it was fitted on (and whether it
includes simulated participants): a report job whose data are those of an earlier finished
report reuses that report's file instead of fitting again."""

import tempfile
from dataclasses import asdict
from typing import Any, Final

from study import selectors
from study.models import Job

from .cases import ImageStoreError
from .exports import study_export
from .imports import ArchiveError, ImportReport, cases_import
from .jobs import JobRefused, Outcome, Progress, job_input, job_runner
from .reports import ReportUnavailable, report_data, study_report
from .studies import StudyStateError

REPORT_TYPE: Final = "text/html; charset=utf-8"


@job_runner(Job.Kind.REPORT)
def report_run(job: Job, progress: Progress) -> Outcome:
    include_synthetic = bool(job.params.get("include_synthetic"))
    progress(0, 3, "Reading the trials table.")
    fingerprint = selectors.report_fingerprint(study=job.study, include_synthetic=include_synthetic)
    trials, digest = report_data(study=job.study, include_synthetic=include_synthetic)
    earlier = (
        Job.objects.filter(
            study=job.study,
            kind=Job.Kind.REPORT,
            status=Job.Status.DONE,
            data_sha256=digest,
            params__include_synthetic=include_synthetic,
        )
        .exclude(result_file="")
        .exclude(pk=job.pk)
        .first()
    )
    if earlier is not None:
        with earlier.result_file.open("rb") as stored:
            content = stored.read()
        return Outcome(
            message=(
                f"The data are those of report {earlier.public_id}: its fit is reused "
                f"({len(trials)} trials)."
            ),
            result={**earlier.result, "fingerprint": fingerprint, "reused_from": earlier.public_id},
            content=content,
            name=earlier.result_name,
            content_type=REPORT_TYPE,
            data_sha256=digest,
        )
    progress(1, 3, f"Fitting the models on {len(trials)} trials.")
    try:
        html = study_report(
            study=job.study,
            actor=job.requested_by,
            include_synthetic=include_synthetic,
            trials=trials,
        )
    except ReportUnavailable as error:
        raise JobRefused(str(error)) from error
    return Outcome(
        message=f"Report fitted on {len(trials)} trials.",
        result={
            "trials": len(trials),
            "participants": int(trials["participant"].nunique()),
            "include_synthetic": include_synthetic,
            "fingerprint": fingerprint,
        },
        content=html.encode("utf-8"),
        name=f"{job.study.slug}-report.html",
        content_type=REPORT_TYPE,
        data_sha256=digest,
    )


@job_runner(Job.Kind.EXPORT)
def export_run(job: Job, progress: Progress) -> Outcome:
    include_synthetic = bool(job.params.get("include_synthetic"))
    via = job.params.get("via", "console")
    progress(0, 1, "Writing the export bundle.")
    # An anonymous temporary file (never held in memory; the storage copy is the only named
    # one), closed by job_execute once stored.
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the Outcome's, closed by job_execute
    try:
        written = study_export(
            study=job.study,
            table="bundle",
            handle=handle,
            actor=job.requested_by,
            via=via,
            include_synthetic=include_synthetic,
        )
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return Outcome(
        message=f"Export bundle written: {written.rows} trial rows.",
        # free_text: whether the bundle holds free-text answers (the requester's role decided,
        # study.permissions); who may download it follows from that (job_result_allowed).
        result={
            "trials": written.rows,
            "include_synthetic": include_synthetic,
            "free_text": bool(written.manifest and written.manifest["free_text"]),
        },
        handle=handle,
        name=written.filename,
        content_type=written.content_type,
    )


def import_report_json(report: ImportReport) -> dict[str, Any]:
    """The import's report as the job's JSON result (the console's cases page reads it as it
    reads an ImportReport)."""
    return {
        "stored": report.stored,
        "imported": report.imported,
        "refused": report.refused,
        "problem_count": report.problem_count,
        "problems_not_listed": report.problems_not_listed,
        "manifest_problems": [str(problem) for problem in report.manifest_problems],
        "outcomes": [asdict(outcome) for outcome in report.outcomes],
    }


@job_runner(Job.Kind.IMPORT)
def import_run(job: Job, progress: Progress) -> Outcome:
    name = job.params.get("archive_name") or "the archive"
    progress(0, None, f"Importing {name}.")
    archive = job_input(job)
    try:
        report = cases_import(study=job.study, archive=archive, actor=job.requested_by)
    except (ArchiveError, StudyStateError) as failure:
        raise JobRefused(f"{name}: {failure}", result={"refusal": "archive"}) from failure
    except ImageStoreError as failure:
        raise JobRefused(
            f"{name}: nothing was imported, because {failure}. Free space in the image store "
            "(or ask the site administrator to), then upload it again.",
            result={"refusal": "store"},
        ) from failure
    finally:
        archive.close()
    result = import_report_json(report)
    if report.stored:
        message = f"{name}: {report.imported} case{'' if report.imported == 1 else 's'} imported."
    elif report.manifest_problems:
        message = f"{name}: nothing was imported, the manifest has {report.problem_count} problems."
    else:
        message = f"{name}: nothing was imported, {report.refused} files refused."
    return Outcome(message=message, result=result)
