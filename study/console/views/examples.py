"""The example-image library of a study (global explanations): list by diagnosis, upload,
delete, and the images themselves, which only the study's researchers may see."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from study import permissions, selectors, services, uploads
from study.core.imaging.archive import size_text
from study.http import image_response
from study.models import Study
from study.services.examples import example_image_file, example_images

from ..forms import form_problems
from ..library_forms import ExampleUploadForm


def _examples_page(request, study: Study, *, form=None, error=None, status: int = 200):
    diagnoses = selectors.study_diagnoses(study=study)
    labels = dict(diagnoses)
    library = example_images(study=study)
    groups = [
        (code, label, [example for example in library if example.diagnosis == code])
        for code, label in diagnoses
    ]
    context = {
        "study": study,
        "groups": groups,
        # an example of a diagnosis deleted since (the builder refuses it only for cases)
        "orphans": [example for example in library if example.diagnosis not in labels],
        "form": form or ExampleUploadForm(diagnoses=diagnoses),
        "error": error,
        "can_edit": permissions.study_allows(study=study, user=request.user, action="write"),
        "upload_max": size_text(uploads.upload_max_bytes()),
    }
    return render(request, "console/examples.html", context, status=status)


@require_http_methods(["GET", "POST"])
@permissions.study_view(write_on_post=True)
def examples(request, study):
    if request.method != "POST":
        return _examples_page(request, study)
    refusal = uploads.upload_refusal(request)
    if refusal:
        return _examples_page(request, study, error=refusal, status=413)
    form = ExampleUploadForm(
        request.POST, request.FILES, diagnoses=selectors.study_diagnoses(study=study)
    )
    if not form.is_valid():
        error = f"Nothing was added: {form_problems(form)}"
        return _examples_page(request, study, form=form, error=error, status=400)
    upload = form.cleaned_data["image"]
    try:
        example = services.example_image_add(
            study=study,
            diagnosis=form.cleaned_data["diagnosis"],
            filename=upload.name,
            content=upload.read(),
            actor=request.user,
        )
    except (services.ExampleError, services.StudyStateError) as failure:
        return _examples_page(request, study, form=form, error=str(failure), status=400)
    except services.ImageStoreError as failure:
        error = f"{upload.name}: nothing was added, because {failure}."
        return _examples_page(request, study, form=form, error=error, status=507)
    messages.success(request, f"Example image {example.code} added.")
    return redirect("console:examples", study.slug)


@require_POST
@permissions.study_view(permissions.WRITE)
def example_delete(request, study, code):
    example = get_object_or_404(study.examples, code=code)
    try:
        services.example_image_delete(example=example, actor=request.user)
    except services.StudyStateError as refusal:
        return _examples_page(request, study, error=str(refusal), status=400)
    messages.success(request, f"Example image {code} deleted.")
    return redirect("console:examples", study.slug)


@permissions.study_view()
def example_image(request, study, code, name):
    example = get_object_or_404(study.examples, code=code)
    stored = example_image_file(example=example, name=name)
    if stored is None:
        raise Http404("No such image for this example.")
    return image_response(stored, name=name)
