"""Console settings of the open self-enrolment link and the per-stratum quotas."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from study import permissions, services


@require_POST
@permissions.study_view(permissions.WRITE)
def link_toggle(request, study):
    if request.POST.get("enable") == "1":
        services.self_enrolment_enable(study=study, actor=request.user)
        messages.success(request, "The open enrolment link is active.")
    else:
        services.self_enrolment_disable(study=study, actor=request.user)
        messages.success(request, "The open enrolment link is disabled.")
    return redirect("console:study", study.slug)


@require_POST
@permissions.study_view(permissions.WRITE)
def quotas(request, study):
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
    return redirect("console:study", study.slug)
