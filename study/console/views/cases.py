"""Console case library: thumbnails, review state, the zip + manifest upload, case images."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from study import permissions, selectors, services
from study.http import image_response
from study.services import imports


@require_http_methods(["GET", "POST"])
@permissions.study_view(write_on_post=True)
def cases(request, study):
    report, error = None, None
    if request.method == "POST":
        upload = request.FILES.get("archive")
        if upload is None:
            error = "Choose a zip archive to upload."
        else:
            try:
                report = imports.cases_import(study=study, archive=upload, actor=request.user)
            except (imports.ArchiveError, services.StudyStateError) as failure:
                error = f"{upload.name}: {failure}"
    context = {
        "study": study,
        "cases": selectors.study_cases(study=study),
        "report": report,
        "error": error,
    }
    return render(request, "console/cases.html", context, status=400 if error else 200)


@require_POST
@permissions.study_view(permissions.WRITE)
def case_review(request, study, code):
    case = get_object_or_404(study.cases, code=code)
    services.case_review_confirm(case=case, actor=request.user, note="confirmed in the console")
    messages.success(request, f"Case {code}: no burned-in identifying text, confirmed.")
    return redirect("console:cases", study.slug)


@permissions.study_view()
def case_image(request, study, code, name):
    case = get_object_or_404(study.cases, code=code)
    stored = selectors.case_image_file(case=case, name=name)
    if stored is None:
        raise Http404("No such image for this case.")
    return image_response(stored, name=name)
