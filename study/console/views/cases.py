"""Console case library: thumbnails, review state, training or test and feedback per case, the
zip + manifest upload, case images, and the review grid: every case awaiting review as a
thumbnail opening its preview, confirmed together with one POST."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from study import permissions, selectors, services, uploads
from study.core.imaging.archive import size_text
from study.http import image_response
from study.models import Job, Study

from ..forms import form_problems
from ..library_forms import CaseTrainingForm


def _cases_page(
    request,
    study: Study,
    *,
    report=None,
    error=None,
    training_error=None,
    review_error=None,
    selected=(),
    status: int = 200,
):
    context = {
        "study": study,
        "cases": selectors.study_cases(study=study),
        "awaiting_review": selectors.cases_awaiting_review(study=study),
        "review_error": review_error,
        "selected": set(selected),
        "can_edit": permissions.study_allows(study=study, user=request.user, action="write"),
        "report": report,
        "error": error,
        "training_error": training_error,
        "upload_max_bytes": uploads.upload_max_bytes(),
        "upload_max": size_text(uploads.upload_max_bytes()),
        "manifest_max": size_text(settings.CASE_MANIFEST_MAX_BYTES),
        "manifest_max_rows": settings.CASE_MANIFEST_MAX_ROWS,
    }
    return render(request, "console/cases.html", context, status=status)


@require_http_methods(["GET", "POST"])
@permissions.study_view(write_on_post=True)
def cases(request, study):
    report, error, status = None, None, 200
    if request.method == "POST":
        upload = request.FILES.get("archive")
        refusal = uploads.upload_refusal(request)
        if refusal:
            error, status = refusal, 413
        elif upload is None:
            error, status = "Choose a zip archive to upload.", 400
        else:
            return _import_start(request, study, upload)
    return _cases_page(request, study, report=report, error=error, status=status)


def _import_start(request, study: Study, upload):
    """The import as a job: without a broker it has run, and its report is this page; with
    one, the job's page follows it."""
    try:
        job = services.job_start(
            study=study,
            kind=Job.Kind.IMPORT,
            actor=request.user,
            params={"archive_name": upload.name},
            input_file=upload,
            input_name="archive.zip",
        )
    except OSError as failure:
        error = (
            f"{upload.name}: nothing was imported, because the upload could not be kept for "
            f"the import ({failure.strerror or failure}). Free space in the storage, then "
            "upload it again."
        )
        return _cases_page(request, study, error=error, status=507)
    if job.status == Job.Status.DONE:
        status = 200 if job.result.get("stored") else 400
        return _cases_page(request, study, report=job.result, status=status)
    if job.status == Job.Status.FAILED:
        status = 507 if job.result.get("refusal") == "store" else 400
        return _cases_page(request, study, error=job.message, status=status)
    messages.info(request, f"{upload.name} is queued for import: job {job.public_id}.")
    return redirect("console:job", study.slug, job.public_id)


@require_POST
@permissions.study_view(permissions.WRITE)
def case_training(request, study, code):
    """Mark a case as training or test and set its feedback text (draft only)."""
    case = get_object_or_404(study.cases, code=code)
    form = CaseTrainingForm(request.POST)
    if not form.is_valid():
        problem = f"Case {code} not saved: {form_problems(form)}"
        return _cases_page(request, study, training_error=problem, status=400)
    try:
        case = services.case_training_set(case=case, actor=request.user, **form.cleaned_data)
    except (services.StudyStateError, ValueError) as refusal:
        problem = f"Case {code} not saved: {refusal}"
        return _cases_page(request, study, training_error=problem, status=400)
    kind = "a training case" if case.is_training else "a test case"
    messages.success(request, f"Case {code} saved: {kind}.")
    return redirect("console:cases", study.slug)


@require_POST
@permissions.study_view(permissions.WRITE)
def case_review(request, study, code):
    case = get_object_or_404(study.cases, code=code)
    services.case_review_confirm(case=case, actor=request.user, note="confirmed in the console")
    messages.success(request, f"Case {code}: no burned-in identifying text, confirmed.")
    return redirect("console:cases", study.slug)


@require_POST
@permissions.study_view(permissions.WRITE)
def cases_review(request, study):
    """Confirm "no burned-in identifying text" for the cases ticked in the review grid."""
    codes = request.POST.getlist("codes")
    try:
        confirmed = services.case_reviews_confirm(
            study=study, codes=codes, actor=request.user, note="confirmed in the console's grid"
        )
    except services.CaseReviewError as refusal:
        problem = f"Nothing confirmed: {refusal}"
        return _cases_page(request, study, review_error=problem, selected=codes, status=400)
    listed = ", ".join(case.code for case in confirmed)
    messages.success(
        request,
        f"No burned-in identifying text, confirmed for {len(confirmed)} "
        f"case{'s' if len(confirmed) != 1 else ''}: {listed}.",
    )
    return redirect("console:cases", study.slug)


@permissions.study_view()
def case_image(request, study, code, name):
    case = get_object_or_404(study.cases, code=code)
    stored = selectors.case_image_file(case=case, name=name)
    if stored is None:
        raise Http404("No such image for this case.")
    return image_response(stored, name=name)
