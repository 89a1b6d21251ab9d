"""New study from a design template, and clone a study (issue 10, point 6): thin views over
study.services.designs.

Starting a study, either way, needs the account's permission to add studies (as the builder's
new-study page); cloning also needs a role that may change the source (owner or collaborator).
A refusal (a taken or malformed slug, a text too long) is shown at its field with a 400.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from study import permissions
from study.core import allocation, design_templates
from study.services import designs

from ..forms import StudyCreateForm, add_service_error

_REFUSALS = (allocation.DesignError, design_templates.UnknownTemplate)


class StudyFromTemplateForm(StudyCreateForm):
    template = forms.ChoiceField(
        label="Design template",
        choices=[(t.name, t.title) for t in design_templates.TEMPLATES.values()],
        widget=forms.RadioSelect,
    )
    description = None  # the template brings its texts; the team edits them in the builder

    field_order = ("template", "title", "slug")


class StudyCloneForm(StudyCreateForm):
    description = None  # the clone keeps the source's texts


def _posted(request):
    # An empty POST is still a POST: ``request.POST or None`` would answer it 200, unrefused.
    return request.POST if request.method == "POST" else None


@login_required
@permission_required("study.add_study", raise_exception=True)
@require_http_methods(["GET", "POST"])
def study_from_template(request):
    form = StudyFromTemplateForm(_posted(request), initial={"template": request.GET.get("design")})
    if request.method == "POST" and form.is_valid():
        try:
            study = designs.study_from_template(owner=request.user, **form.cleaned_data)
        except _REFUSALS as refusal:
            add_service_error(form, refusal)
        else:
            title = design_templates.template_get(form.cleaned_data["template"]).title
            messages.success(
                request, f"Study created as a draft from the template “{title}”. Check its design."
            )
            return redirect("console:design", study.slug)
    # Each template's radio button beside its description and parameters (same order).
    rows = list(zip(design_templates.TEMPLATES.values(), form["template"], strict=True))
    context = {"form": form, "template_rows": rows}
    status = 400 if form.errors else 200
    return render(request, "console/designs/from_template.html", context, status=status)


@require_http_methods(["GET", "POST"])
@permissions.study_view(permissions.WRITE)
def study_clone(request, study):
    if not request.user.has_perm("study.add_study"):
        raise PermissionDenied("Your account may not start studies; ask an administrator.")
    initial = {"title": f"{study.title} (copy)", "slug": f"{study.slug}-copy"[:60]}
    form = StudyCloneForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            clone = designs.study_clone(study=study, owner=request.user, **form.cleaned_data)
        except _REFUSALS as refusal:
            add_service_error(form, refusal)
        else:
            messages.success(
                request,
                f"Study cloned from “{study.title}” as a draft: design, texts, cases and images; "
                "no participants.",
            )
            return redirect("console:design", clone.slug)
    status = 400 if form.errors else 200
    return render(
        request, "console/designs/clone.html", {"study": study, "form": form}, status=status
    )
