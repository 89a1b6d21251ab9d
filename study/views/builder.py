"""Study builder pages in the researcher console: thin views over study.services.builder.

Roles as elsewhere in the console: viewers see the design read-only, owners and collaborators
edit it, only owners add members. Refusals from the services are shown on the page verbatim.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from study import design, services
from study.forms_builder import (
    ArmForm,
    DiagnosisForm,
    MembershipForm,
    StudyCreateForm,
    StudySettingsForm,
    add_service_error,
)
from study.models import Study, StudyMembership

from .console import _WRITE_ROLES, _study_for

# What a researcher can fix by editing the design; anything else is a bug and should surface.
_REFUSALS = (design.DesignError, services.StudyStateError, services.MembershipError)


def _role(request, study: Study) -> str:
    if request.user.is_superuser:
        return StudyMembership.Role.OWNER
    membership = study.memberships.filter(user=request.user).first()
    return membership.role if membership else ""


def _design_problem(study: Study) -> str:
    """What would stop the study from opening as designed now; empty when it could open."""
    try:
        design.design_validate(services.study_design_spec(study=study))
    except design.DesignError as problem:
        return str(problem)
    return ""


@login_required
@permission_required("study.add_study", raise_exception=True)
@require_http_methods(["GET", "POST"])
def study_new(request):
    """Only accounts allowed to add studies (given by an administrator) may start one."""
    form = StudyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            study = services.study_create(owner=request.user, **form.cleaned_data)
        except _REFUSALS as refusal:
            add_service_error(form, refusal)
        else:
            messages.success(request, "Study created as a draft. Set up its design below.")
            return redirect("console:design", study.slug)
    status = 400 if form.errors else 200
    return render(request, "console/builder/study_new.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def study_design(request, slug):
    study = _study_for(request, slug, write=request.method == "POST")
    form = StudySettingsForm(request.POST or None, study=study)
    if request.method == "POST" and form.is_valid():
        try:
            study = services.study_design_update(
                study=study, actor=request.user, **form.cleaned_data
            )
        except _REFUSALS as refusal:
            add_service_error(form, refusal)
        else:
            messages.success(request, "Study settings saved.")
            return redirect("console:design", study.slug)
    role = _role(request, study)
    context = {
        "study": study,
        "form": form,
        "can_edit": role in _WRITE_ROLES,
        "is_owner": role == StudyMembership.Role.OWNER,
        "arms": study.arms.all(),
        "diagnoses": study.diagnoses.all(),
        "memberships": study.memberships.select_related("user").order_by("role", "user"),
        "member_form": MembershipForm(),
        "design_problem": _design_problem(study),
    }
    status = 400 if form.errors else 200
    return render(request, "console/builder/design.html", context, status=status)


def _row_edit(request, slug, *, code, kind: str):
    """Add or edit one arm or diagnosis option: the two differ only in form, service, template."""
    study = _study_for(request, slug, write=True)
    form_class, save, related = {
        "arm": (ArmForm, services.arm_save, study.arms),
        "diagnosis": (DiagnosisForm, services.diagnosis_save, study.diagnoses),
    }[kind]
    row = get_object_or_404(related, code=code) if code is not None else None
    initial = form_class.initial_for(row) if row is not None else None
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save(study=study, actor=request.user, **{kind: row}, **form.cleaned_data)
        except _REFUSALS as refusal:
            add_service_error(form, refusal)
        else:
            messages.success(request, f"{kind.title()} {form.cleaned_data['code']} saved.")
            return redirect("console:design", study.slug)
    context = {"study": study, "form": form, "row": row, "kind": kind}
    status = 400 if form.errors else 200
    return render(request, f"console/builder/{kind}_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def arm_edit(request, slug, code=None):
    return _row_edit(request, slug, code=code, kind="arm")


@login_required
@require_http_methods(["GET", "POST"])
def diagnosis_edit(request, slug, code=None):
    return _row_edit(request, slug, code=code, kind="diagnosis")


def _row_delete(request, slug, *, code, kind: str):
    study = _study_for(request, slug, write=True)
    related, delete = {
        "arm": (study.arms, services.arm_delete),
        "diagnosis": (study.diagnoses, services.diagnosis_delete),
    }[kind]
    row = get_object_or_404(related, code=code)
    try:
        delete(**{kind: row}, actor=request.user)
    except _REFUSALS as refusal:
        messages.error(request, f"{kind.title()} {code} not deleted: {refusal}")
    else:
        messages.success(request, f"{kind.title()} {code} deleted.")
    return redirect("console:design", study.slug)


@login_required
@require_POST
def arm_delete(request, slug, code):
    return _row_delete(request, slug, code=code, kind="arm")


@login_required
@require_POST
def diagnosis_delete(request, slug, code):
    return _row_delete(request, slug, code=code, kind="diagnosis")


@login_required
@require_POST
def membership_add(request, slug):
    study = _study_for(request, slug, write=True)
    form = MembershipForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(
            f"{form[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()
        )
        messages.error(request, f"Member not added: {problems}")
        return redirect("console:design", study.slug)
    try:
        # membership_add refuses non-owners with PermissionDenied: a 403 page.
        services.membership_add(study=study, actor=request.user, **form.cleaned_data)
    except _REFUSALS as refusal:
        messages.error(request, f"Member not added: {refusal}")
    else:
        messages.success(request, f"{form.cleaned_data['username']} added to the study.")
    return redirect("console:design", study.slug)
