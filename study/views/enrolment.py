"""Open self-enrolment: the public link (participant side) and its settings (console side)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from study import services
from study.models import Study
from study.views.console import _study_for


@never_cache
@require_http_methods(["GET", "POST"])
def open_link(request, token):
    """GET shows the study; only POST creates a participant (link previews and bots don't)."""
    study = get_object_or_404(Study, self_enrolment_token=token)
    context = {"study": study}
    if study.status != Study.Status.RECRUITING:
        return render(request, "participant/closed.html", context, status=403)
    if request.method == "POST":
        participant = services.participant_self_enrol(study=study)
        return redirect("participant:entry", participant.token)
    return render(request, "participant/open_link.html", context)


@login_required
@require_POST
def link_toggle(request, slug):
    study = _study_for(request, slug, write=True)
    if request.POST.get("enable") == "1":
        services.self_enrolment_enable(study=study, actor=request.user)
        messages.success(request, "The open enrolment link is active.")
    else:
        services.self_enrolment_disable(study=study, actor=request.user)
        messages.success(request, "The open enrolment link is disabled.")
    return redirect("console:study", slug)


@login_required
@require_POST
def quotas(request, slug):
    study = _study_for(request, slug, write=True)
    values = {}
    for stratum in services.study_strata(study=study):
        raw = request.POST.get(f"quota-{stratum}", "").strip()
        values[stratum] = int(raw) if raw.isdigit() else (None if raw == "" else raw)
    try:
        services.stratum_quotas_set(study=study, quotas=values, actor=request.user)
    except ValueError as error:
        messages.error(request, f"Quotas not saved: {error}")
    else:
        messages.success(request, "Quotas saved.")
    return redirect("console:study", slug)
