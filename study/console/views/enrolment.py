"""Console settings of the open self-enrolment link, the per-stratum quotas and the
abandonment threshold."""

import re

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from study import permissions, selectors, services
from study.services.enrolment import abandon_threshold_set

from ..forms import LinkToggleForm, QuotasForm, form_problems, quota_field_name
from . import studies


@require_POST
@permissions.study_view(permissions.WRITE)
def link_toggle(request, study):
    form = LinkToggleForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Open link not changed: {form_problems(form)}")
        return studies.study_page(request, study, status=400)
    if form.cleaned_data["enable"] == "1":
        services.self_enrolment_enable(study=study, actor=request.user)
        messages.success(request, "The open enrolment link is active.")
    else:
        services.self_enrolment_disable(study=study, actor=request.user)
        messages.success(request, "The open enrolment link is disabled.")
    return redirect("console:study", study.slug)


@require_POST
@permissions.study_view(permissions.WRITE)
def quotas(request, study):
    form = QuotasForm(request.POST, strata=list(services.study_strata(study=study)))
    try:
        if not form.is_valid():
            raise ValueError(form_problems(form))
        services.stratum_quotas_set(study=study, quotas=form.quotas(), actor=request.user)
    except ValueError as error:
        # Answered 400 with the study page, the message above it and the quotas as posted.
        messages.error(request, f"Quotas not saved: {error}")
        return studies.study_page(request, study, status=400, quota_rows=_quota_rows(study, form))
    messages.success(request, "Quotas saved.")
    return redirect("console:study", study.slug)


def _quota_rows(study, form: QuotasForm) -> list[dict]:
    """The study page's quota rows with the values as posted and each one's error."""
    return [
        {
            **row,
            "value": form[quota_field_name(row["stratum"])].value() or "",
            "error": " ".join(form.errors.get(quota_field_name(row["stratum"]), [])),
        }
        for row in selectors.stratum_quota_rows(study=study)
    ]


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
        return studies.study_page(request, study, status=400)
    messages.success(request, "Abandonment threshold saved.")
    return redirect("console:study", study.slug)
