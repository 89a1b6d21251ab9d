"""Console settings of the open self-enrolment link, the per-stratum quotas and the
abandonment threshold."""

import re

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from study import permissions, services
from study.services.enrolment import abandon_threshold_set

from . import studies


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


@require_POST
@permissions.study_view(permissions.WRITE)
def abandon_threshold(request, study):
    raw = request.POST.get("abandon_after_minutes", "").strip()
    try:
        if not re.fullmatch(r"[+-]?\d{1,18}", raw):
            raise ValueError(f"abandon threshold: give a whole number of minutes, got {raw!r}")
        abandon_threshold_set(study=study, minutes=int(raw), actor=request.user)
    except ValueError as error:
        # Answered 400 with the study page itself, the message above it and the form below.
        messages.error(request, f"Threshold not saved: {error}")
        response = studies.study_detail(request, study.slug)
        response.status_code = 400
        return response
    messages.success(request, "Abandonment threshold saved.")
    return redirect("console:study", study.slug)
