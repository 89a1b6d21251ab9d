"""Study builder pages in the researcher console: thin views over study.services.builder.

Roles as elsewhere in the console: viewers see the design read-only, owners and collaborators
edit it, only owners manage the team (add, re-role, remove members; never the last owner) and
decide whether viewers may export free-text answers. Refusals from the services are shown on
the page verbatim.
The design page shows the design hash: live while drafting, frozen at the first enrolment;
after it the settings form changes texts only, as an amendment with a reason.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from study import permissions, selectors, services
from study.core import allocation
from study.models import Study, StudyMembership
from study.selectors.studies import study_design_version, study_design_versions
from study.services.amendments import AmendmentError, design_amend
from study.services.design_versions import design_hash_shown

from ..amendment_forms import StudyAmendForm
from ..forms import (
    ArmForm,
    DiagnosisForm,
    FreeTextExportForm,
    MemberRemoveForm,
    MemberRoleForm,
    MembershipForm,
    StudyCreateForm,
    StudySettingsForm,
    add_service_error,
    form_problems,
)
from ..instrument_forms import InstrumentsForm

# What a researcher can fix by editing the design; anything else is a bug and should surface.
_REFUSALS = (
    allocation.DesignError,
    services.StudyStateError,
    services.MembershipError,
    AmendmentError,
)


def _design_problem(study: Study) -> str:
    """What would stop the study from opening as designed now; empty when it could open."""
    try:
        allocation.design_validate(services.study_design_spec(study=study))
    except allocation.DesignError as problem:
        return str(problem)
    return ""


def _posted(request):
    # An empty POST is still a POST: ``request.POST or None`` would answer it 200, unrefused.
    return request.POST if request.method == "POST" else None


@login_required
@permission_required("study.add_study", raise_exception=True)
@require_http_methods(["GET", "POST"])
def study_new(request):
    """Only accounts allowed to add studies (given by an administrator) may start one."""
    form = StudyCreateForm(_posted(request))
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


def _settings_save(request, study: Study, form) -> Study | None:
    """Save the settings form: a plain update while drafting, an amendment after the lock.
    Returns the study when saved, None when a refusal was put on the form."""
    fields = dict(form.cleaned_data)
    try:
        if study.design_locked_at is None:
            saved = services.study_design_update(study=study, actor=request.user, **fields)
            messages.success(request, "Study settings saved.")
            return saved
        before = study.design_hash
        saved = design_amend(study=study, actor=request.user, reason=fields.pop("reason"), **fields)
    except _REFUSALS as refusal:
        add_service_error(form, refusal)
        return None
    if saved.design_hash == before:
        messages.info(request, "Nothing changed: no amendment was recorded.")
    else:
        version = study_design_version(study=saved)
        messages.success(
            request, f"Amendment saved as design version {version} (hash {saved.design_hash})."
        )
    return saved


@require_http_methods(["GET", "POST"])
@permissions.study_view(write_on_post=True)
def study_design(request, study):
    form_class = StudySettingsForm if study.design_locked_at is None else StudyAmendForm
    form = form_class(_posted(request), study=study)
    if request.method == "POST" and form.is_valid():
        saved = _settings_save(request, study, form)
        if saved is not None:
            return redirect("console:design", saved.slug)
    return _design_page(request, study, form=form)


def _design_page(request, study: Study, *, form, member_form=None, refused: bool = False):
    """The design page; a refused settings or member form (or team change: ``refused``) is
    re-shown with its errors, 400."""
    member_form = member_form or MembershipForm()
    context = {
        "study": study,
        "form": form,
        "can_edit": permissions.study_allows(study=study, user=request.user, action="write"),
        "is_owner": permissions.study_allows(study=study, user=request.user, action="manage"),
        **selectors.study_design_rows(study=study),
        "member_form": member_form,
        "role_choices": StudyMembership.Role.choices,
        "design_problem": _design_problem(study),
        "design_hash": design_hash_shown(study=study),
        "design_versions": study_design_versions(study=study),
    }
    status = 400 if refused or form.errors or member_form.errors else 200
    return render(request, "console/builder/design.html", context, status=status)


@require_http_methods(["GET", "POST"])
@permissions.study_view(write_on_post=True)
def study_instruments(request, study):
    """The screening options and the questionnaire, edited as text; saved as design settings
    (audited, hashed, frozen at the first enrolment like the others)."""
    form = InstrumentsForm(_posted(request), study=study)
    if request.method == "POST" and form.is_valid():
        settings = form.settings()
        unchanged = all(getattr(study, name) == value for name, value in settings.items())
        try:
            services.study_design_update(study=study, actor=request.user, **settings)
        except _REFUSALS as refusal:
            add_service_error(form, refusal, aliases=form.service_aliases())
        else:
            messages.success(
                request, "Nothing changed." if unchanged else "Screening and questionnaire saved."
            )
            return redirect("console:instruments", study.slug)
    can_edit = permissions.study_allows(study=study, user=request.user, action="write")
    if study.design_locked_at is not None or not can_edit:
        for field in form.fields.values():
            field.disabled = True
    context = {"study": study, "form": form, "can_edit": can_edit}
    status = 400 if form.errors else 200
    return render(request, "console/builder/instruments.html", context, status=status)


def _row_edit(request, study: Study, *, code, kind: str):
    """Add or edit one arm or diagnosis option: the two differ only in form, service, template."""
    form_class, save, related = {
        "arm": (ArmForm, services.arm_save, study.arms),
        "diagnosis": (DiagnosisForm, services.diagnosis_save, study.diagnoses),
    }[kind]
    row = get_object_or_404(related, code=code) if code is not None else None
    initial = form_class.initial_for(row) if row is not None else None
    form = form_class(_posted(request), initial=initial)
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


@require_http_methods(["GET", "POST"])
@permissions.study_view(permissions.WRITE)
def arm_edit(request, study, code=None):
    return _row_edit(request, study, code=code, kind="arm")


@require_http_methods(["GET", "POST"])
@permissions.study_view(permissions.WRITE)
def diagnosis_edit(request, study, code=None):
    return _row_edit(request, study, code=code, kind="diagnosis")


def _row_delete(request, study: Study, *, code, kind: str):
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


@require_POST
@permissions.study_view(permissions.WRITE)
def arm_delete(request, study, code):
    return _row_delete(request, study, code=code, kind="arm")


@require_POST
@permissions.study_view(permissions.WRITE)
def diagnosis_delete(request, study, code):
    return _row_delete(request, study, code=code, kind="diagnosis")


@require_POST
@permissions.study_view(permissions.MANAGE)
def membership_add(request, study):
    form = MembershipForm(request.POST)
    if form.is_valid():
        try:
            services.membership_add(study=study, actor=request.user, **form.cleaned_data)
        except _REFUSALS as refusal:
            add_service_error(form, refusal)
        else:
            messages.success(request, f"{form.cleaned_data['username']} added to the study.")
            return redirect("console:design", study.slug)
    return _team_refused(request, study, f"Member not added: {form_problems(form)}", form)


def _team_refused(request, study: Study, problem: str, member_form=None):
    """A refused team change: 400 with the design page, the message above it (and the refused
    add-member form below)."""
    messages.error(request, problem)
    settings_class = StudySettingsForm if study.design_locked_at is None else StudyAmendForm
    form = settings_class(None, study=study)
    return _design_page(request, study, form=form, member_form=member_form, refused=True)


@require_POST
@permissions.study_view(permissions.MANAGE)
def membership_role(request, study):
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        return _team_refused(request, study, f"Role not changed: {form_problems(form)}")
    username, role = form.cleaned_data["username"], form.cleaned_data["role"]
    try:
        membership = services.membership_role_change(
            study=study, actor=request.user, username=username, role=role
        )
    except _REFUSALS as refusal:
        return _team_refused(request, study, f"Role not changed: {refusal}")
    messages.success(request, f"{username} is now {membership.get_role_display().lower()}.")
    if not permissions.study_allows(study=study, user=request.user, action=permissions.READ):
        return redirect("console:home")
    return redirect("console:design", study.slug)


@require_POST
@permissions.study_view(permissions.MANAGE)
def membership_remove(request, study):
    form = MemberRemoveForm(request.POST)
    if not form.is_valid():
        return _team_refused(request, study, f"Member not removed: {form_problems(form)}")
    username = form.cleaned_data["username"]
    try:
        services.membership_remove(study=study, actor=request.user, username=username)
    except _REFUSALS as refusal:
        return _team_refused(request, study, f"Member not removed: {refusal}")
    messages.success(request, f"{username} removed from the study.")
    # An owner who removed themselves no longer sees the study.
    if not permissions.study_allows(study=study, user=request.user, action=permissions.READ):
        return redirect("console:home")
    return redirect("console:design", study.slug)


@require_POST
@permissions.study_view(permissions.MANAGE)
def free_text_export(request, study):
    """The owner's switch: whether viewers' exports include free-text answers."""
    form = FreeTextExportForm(request.POST)
    form.is_valid()  # a checkbox: absent or any value, never invalid
    allowed = form.cleaned_data["allowed"]
    services.study_free_text_export_set(study=study, actor=request.user, allowed=allowed)
    messages.success(
        request,
        "Viewers' exports now include free-text answers."
        if allowed
        else "Viewers' exports now leave out free-text answers.",
    )
    return redirect("console:design", study.slug)
