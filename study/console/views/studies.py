"""Console pages of a study: the list, the study page, opening and closing, allocation, audit,
invitations. Thin views: permissions.study_view checks the role, one service or selector works."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from study import exports, permissions, selectors, services
from study.core import allocation
from study.selectors.export_rows import allocation_factors
from study.selectors.studies import study_design_version
from study.services.design_versions import design_hash_shown

from .. import charts
from ..audit_forms import AuditFilterForm
from ..forms import AllocationSlotsForm, InvitationsForm, form_problems

AUDIT_PAGE_EVENTS = 50
PROGRESS_REFRESH_SECONDS = 30


@login_required
def home(request):
    studies = selectors.studies_with_counts(studies=permissions.studies_visible(user=request.user))
    return render(request, "console/home.html", {"studies": studies})


@permissions.study_view()
def study_detail(request, study):
    return study_page(request, study)


def study_page(request, study, *, status: int = 200, quota_rows: list | None = None):
    """The study page; a refused recruitment setting re-shows it with a 400 and the message
    (``quota_rows``: the quota inputs as posted, with their errors)."""
    context = {
        **_progress_context(study),
        "arms": selectors.study_design_rows(study=study)["arms"],
        "cases": selectors.study_cases(study=study),
        "audit_events": selectors.study_audit_events(
            study=study, limit=selectors.RECENT_AUDIT_EVENTS
        ),
        "quota_rows": quota_rows
        if quota_rows is not None
        else [
            {**row, "value": "" if row["quota"] is None else row["quota"], "error": ""}
            for row in selectors.stratum_quota_rows(study=study)
        ],
        "design_hash": design_hash_shown(study=study),
        "design_version": study_design_version(study=study),
    }
    return render(request, "console/study_detail.html", context, status=status)


def _progress_context(study) -> dict:
    """What the progress block shows (templates/console/_progress.html), on the study page and
    in the fragment its script fetches."""
    figures = {
        "progress": selectors.study_progress(study=study),
        "steps": selectors.study_dropout_by_step(study=study),
        "days": selectors.study_enrolment_by_day(study=study),
        "durations": selectors.study_duration_summary(study=study),
        "balance": selectors.study_within_balance(
            study=study, spec=services.study_design_spec(study=study)
        ),
    }
    return {
        **figures,
        "study": study,
        "chart": charts.cumulative_chart(figures["days"]),
        # The script swaps the block only when a figure changed (the live region then speaks).
        "digest": hashlib.sha256(repr(figures).encode()).hexdigest()[:16],
        "refresh_seconds": PROGRESS_REFRESH_SECONDS,
        "as_of": timezone.now(),
    }


@permissions.study_view()
def progress_fragment(request, study):
    """The progress block alone, for static/js/progress.js to swap in; never cached."""
    response = render(request, "console/_progress.html", _progress_context(study))
    response["Cache-Control"] = "no-store"
    return response


@permissions.study_view()
def allocation_table(request, study):
    form = AllocationSlotsForm(request.GET)
    if not form.is_valid():
        context = {"study": study, "form": form, "rows": None}
        return render(request, "console/allocation.html", context, status=400)
    n_slots = form.n_slots()
    spec = services.study_design_spec(study=study)
    context = {"study": study, "form": form, "rows": None, "n_slots": n_slots}
    try:
        # rows: the export's cells; slots: the same slots with every within-subject factor as a
        # list of case codes and the arm itself, for the page (it wraps between codes only).
        rows = list(selectors.allocation_rows(study=study, spec=spec, n_slots=n_slots))
        slots = list(allocation_factors(study=study, spec=spec, n_slots=n_slots))
    except allocation.DesignError as problem:
        # A draft whose design cannot be allocated yet (too few cases...): say why, not a 500.
        context["design_problem"] = str(problem)
        return render(request, "console/allocation.html", context, status=409)
    context = {**context, "rows": rows, "slots": slots}
    return render(request, "console/allocation.html", context)


@permissions.study_view()
def audit_log(request, study):
    actions, actors = selectors.study_audit_choices(study=study)
    form = AuditFilterForm(request.GET, actions=actions, actors=actors)
    context = {"study": study, "form": form, "page": None}
    if not form.is_valid():
        context["problem"] = form_problems(form)
        return render(request, "console/audit.html", context, status=400)
    events = selectors.study_audit_events(study=study, filters=form.filters())
    # A page past the end shows the last one (a link kept while the log was filtered).
    context["page"] = Paginator(events, AUDIT_PAGE_EVENTS).get_page(form.page_number())
    return render(request, "console/audit.html", context)


@require_POST
@permissions.study_view(permissions.WRITE)
def study_open(request, study):
    try:
        services.study_open(study=study, actor=request.user)
    except (allocation.DesignError, services.StudyStateError) as error:
        messages.error(request, f"Could not open the study: {error}")
    else:
        messages.success(request, "The study is recruiting.")
    return redirect("console:study", study.slug)


@require_POST
@permissions.study_view(permissions.WRITE)
def study_close(request, study):
    services.study_close(study=study, actor=request.user)
    messages.success(request, "Recruitment is closed; participants in progress can finish.")
    return redirect("console:study", study.slug)


@require_POST
@permissions.study_view(permissions.WRITE)
def invitations(request, study):
    form = InvitationsForm(request.POST)
    try:
        if not form.is_valid():
            raise ValueError(form_problems(form))
        participants = services.invitations_create(
            study=study, count=form.cleaned_data["count"], actor=request.user
        )
    except ValueError as error:
        messages.error(request, f"Invitations not created: {error}")
        return study_page(request, study, status=400)
    rows = (
        {
            "participant": p.public_id,
            "link": request.build_absolute_uri(reverse("participant:entry", args=[p.token])),
        }
        for p in participants
    )
    response = HttpResponse(
        "".join(exports.csv_lines(("participant", "link"), rows)), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{study.slug}-invitations.csv"'
    return response
