"""Background jobs in the console: the study's jobs, one job's progress and its result, and
the analysis report (fitted as a job, served from its cache).

Without JavaScript a running job's page refreshes itself every few seconds (meta refresh)."""

from csp.decorators import csp_update
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from study import permissions, selectors, services
from study.models import Job

STARTABLE = {"report": Job.Kind.REPORT, "export": Job.Kind.EXPORT, "power": Job.Kind.POWER}
POWER_FIELDS = ("n", "sims", "alpha", "target", "seed")


def _include_synthetic(request, study) -> bool:
    # A demo or a pilot is simulated data by design: its report includes it, and says so.
    asked = request.POST.get("include_synthetic") or request.GET.get("include_synthetic")
    return study.is_demo or study.pilot_mode or asked in ("1", "true", "yes")


def _jobs_page(request, study, *, status: int = 200, power: dict | None = None):
    from analysis.power import TARGETS

    jobs = list(selectors.study_jobs(study=study)[:50])
    # The results this account may not download (an export with free text, for a viewer).
    free_text = permissions.study_may_export_free_text(study=study, user=request.user)
    withheld = (
        set()
        if free_text
        else {
            job.public_id
            for job in jobs
            if not permissions.job_result_allowed(job=job, user=request.user)
        }
    )
    context = {
        "study": study,
        "jobs": jobs,
        "withheld": withheld,
        "free_text": free_text,
        "targets": [(code, target.description) for code, target in TARGETS.items()],
        "power": power or {"n": "50,100,150", "sims": 200, "alpha": 0.05, "seed": 2021},
    }
    return render(request, "console/jobs.html", context, status=status)


@permissions.study_view()
def jobs(request, study):
    return _jobs_page(request, study)


@require_POST
@permissions.study_view()
def job_start(request, study):
    kind = STARTABLE.get(request.POST.get("kind", ""))
    if kind is None:
        messages.error(request, "Choose what to start: a report, an export bundle or a power run.")
        return _jobs_page(request, study, status=400)
    if kind == Job.Kind.POWER:
        params = {name: request.POST[name] for name in POWER_FIELDS if request.POST.get(name)}
    else:
        params = {"include_synthetic": _include_synthetic(request, study), "via": "console"}
    try:
        job = services.job_start(study=study, kind=kind, actor=request.user, params=params)
    except services.JobRefused as refused:
        messages.error(request, f"The power run was not started: {refused}")
        return _jobs_page(request, study, status=400, power=params)
    if job.kind == Job.Kind.REPORT and job.status == Job.Status.DONE:
        return redirect("console:report", study.slug)
    return redirect("console:job", study.slug, job.public_id)


def _job(study, public_id: str) -> Job:
    job = selectors.study_job(study=study, public_id=public_id)
    if job is None:
        raise Http404("No such job in this study.")
    return job


@permissions.study_view()
def job_detail(request, study, public_id):
    job = _job(study, public_id)
    running = job.status in (Job.Status.QUEUED, Job.Status.RUNNING)
    return render(request, "console/job.html", {"study": study, "job": job, "running": running})


# The report's figures are inline SVG with matplotlib's style attributes: the report alone
# allows inline styles (never inline scripts).
@csp_update({"style-src": ["'unsafe-inline'"]})
@permissions.study_view()
def job_result(request, study, public_id):
    job = _job(study, public_id)
    if job.status != Job.Status.DONE or not job.result_file:
        raise Http404("This job has no result to download.")
    if not permissions.job_result_allowed(job=job, user=request.user):
        raise PermissionDenied(
            "This export holds free-text answers, which viewers of this study may not "
            "download: start an export of your own (it leaves them out)."
        )
    return _result_response(job, download="download" in request.GET)


def _result_response(job: Job, *, download: bool) -> HttpResponse:
    if job.kind == Job.Kind.REPORT:
        # A report is one HTML page of a few hundred KB: sent whole, so it can be shown.
        with job.result_file.open("rb") as stored:
            response = HttpResponse(stored.read(), content_type=job.result_type)
        if download:
            response["Content-Disposition"] = f'attachment; filename="{job.result_name}"'
        response["Cache-Control"] = "private, no-store"
        return response
    response = FileResponse(
        job.result_file.open("rb"),
        content_type=job.result_type or "application/octet-stream",
        as_attachment=True,
        filename=job.result_name,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@csp_update({"style-src": ["'unsafe-inline'"]})
@permissions.study_view()
def report(request, study):
    """The analysis report of the study's current data: the cached fit when there is one;
    otherwise a page to fit it (a job), showing one that is under way."""
    include_synthetic = _include_synthetic(request, study)
    current = selectors.report_current(study=study, include_synthetic=include_synthetic)
    if current is not None:
        return _result_response(current, download="download" in request.GET)
    context = {
        "study": study,
        "include_synthetic": include_synthetic,
        "pending": selectors.report_pending(study=study, include_synthetic=include_synthetic),
        "latest": selectors.report_latest(study=study, include_synthetic=include_synthetic),
    }
    return render(request, "console/report_pending.html", context)
