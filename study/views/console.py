"""Researcher console: thin views over selectors and services, per-study roles enforced here."""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST

from study import bundle, exports, selectors, services
from study.models import Study, StudyMembership
from study.services import imports

_WRITE_ROLES = (StudyMembership.Role.OWNER, StudyMembership.Role.COLLABORATOR)


def _study_for(request, slug: str, *, write: bool = False) -> Study:
    study = get_object_or_404(Study, slug=slug)
    if request.user.is_superuser:
        return study
    membership = study.memberships.filter(user=request.user).first()
    if membership is None or (write and membership.role not in _WRITE_ROLES):
        raise Http404("No such study for this account.")
    return study


@login_required
def home(request):
    studies = (
        Study.objects.all()
        if request.user.is_superuser
        else Study.objects.filter(memberships__user=request.user)
    )
    return render(request, "console/home.html", {"studies": studies.order_by("-created_at")})


@login_required
def study_detail(request, slug):
    study = _study_for(request, slug)
    context = {
        "study": study,
        "progress": selectors.study_progress(study=study),
        "arms": study.arms.all(),
        "cases": study.cases.all(),
        "audit_events": study.audit_events.select_related("actor")[:20],
        "quota_rows": selectors.stratum_quota_rows(study=study),
    }
    return render(request, "console/study_detail.html", context)


@login_required
def allocation(request, slug):
    study = _study_for(request, slug)
    n_slots = min(max(int(request.GET.get("slots", 24) or 24), 1), 2000)
    spec = services.study_design_spec(study=study)
    rows = list(selectors.allocation_rows(study=study, spec=spec, n_slots=n_slots))
    context = {"study": study, "rows": rows, "n_slots": n_slots}
    return render(request, "console/allocation.html", context)


@login_required
def audit_log(request, slug):
    study = _study_for(request, slug)
    events = study.audit_events.select_related("actor")[:500]
    return render(request, "console/audit.html", {"study": study, "events": events})


@login_required
@require_POST
def study_open(request, slug):
    study = _study_for(request, slug, write=True)
    try:
        services.study_open(study=study, actor=request.user)
    except Exception as error:  # design errors are shown to the researcher verbatim
        messages.error(request, f"Could not open the study: {error}")
    else:
        messages.success(request, "The study is recruiting.")
    return redirect("console:study", slug)


@login_required
@require_POST
def study_close(request, slug):
    study = _study_for(request, slug, write=True)
    services.study_close(study=study, actor=request.user)
    messages.success(request, "Recruitment is closed; participants in progress can finish.")
    return redirect("console:study", slug)


@login_required
@require_POST
def invitations(request, slug):
    study = _study_for(request, slug, write=True)
    try:
        count = int(request.POST.get("count", ""))
        participants = services.invitations_create(study=study, count=count, actor=request.user)
    except ValueError as error:
        messages.error(request, f"Invitations not created: {error}")
        return redirect("console:study", slug)
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
    response["Content-Disposition"] = f'attachment; filename="{slug}-invitations.csv"'
    return response


_EXPORTS = {
    "trials": (selectors.TRIALS_COLUMNS, lambda study: selectors.trial_rows(study=study)),
    "participants": (
        selectors.PARTICIPANTS_COLUMNS,
        lambda study: selectors.participant_rows(study=study),
    ),
}


@login_required
def report(request, slug):
    """The analysis report of the study's current data (analysis.report, fitted on request)."""
    from analysis.report import build_report

    study = _study_for(request, slug)
    trials = selectors.trials_frame(study=study)
    if trials.empty:
        messages.error(request, "No answered trials yet: the report needs data.")
        return redirect("console:study", slug)
    html = build_report(trials, title=f"{study.title}: analysis report", source_name=study.slug)
    services.audit_record(
        action="report", study=study, actor=request.user, detail={"trials": len(trials)}
    )
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{study.slug}-report.html"'
    return response


@login_required
def export_bundle(request, slug):
    study = _study_for(request, slug)
    # The zip is built in a temporary file, never in memory; FileResponse closes it.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    bundle.bundle_write(study=study, handle=handle)
    handle.seek(0)
    services.audit_record(
        action="export", study=study, actor=request.user, detail={"table": "bundle"}
    )
    return FileResponse(handle, as_attachment=True, filename=f"{study.slug}-export.zip")


@login_required
def export(request, slug, table):
    study = _study_for(request, slug)
    if table not in _EXPORTS:
        raise Http404("Unknown export table.")
    columns, rows = _EXPORTS[table]
    services.audit_record(action="export", study=study, actor=request.user, detail={"table": table})
    response = StreamingHttpResponse(
        exports.csv_lines(columns, rows(study)), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{slugify(study.slug)}-{table}.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def cases(request, slug):
    """Case library: thumbnails, review state, and the zip + manifest upload."""
    study = _study_for(request, slug, write=request.method == "POST")
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
    context = {"study": study, "cases": study.cases.all(), "report": report, "error": error}
    return render(request, "console/cases.html", context, status=400 if error else 200)


@login_required
@require_POST
def case_review(request, slug, code):
    study = _study_for(request, slug, write=True)
    case = get_object_or_404(study.cases, code=code)
    services.case_review_confirm(case=case, actor=request.user, note="confirmed in the console")
    messages.success(request, f"Case {code}: no burned-in identifying text, confirmed.")
    return redirect("console:cases", slug)


@login_required
def case_image(request, slug, code, name):
    study = _study_for(request, slug)
    case = get_object_or_404(study.cases, code=code)
    stored = selectors.case_image_file(case=case, name=name)
    if stored is None:
        raise Http404("No such image for this case.")
    response = FileResponse(stored, content_type=selectors.image_content_type(name))
    # FileResponse would name the storage path in Content-Disposition; the URL says enough.
    del response["Content-Disposition"]
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response
