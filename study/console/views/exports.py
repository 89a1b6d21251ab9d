"""Console downloads: the export tables and the zip bundle, written in the request (the
bundle also as a background job: views/jobs.py)."""

from django.contrib import messages
from django.http import Http404, HttpResponse

from study import permissions, services
from study.core import allocation
from study.http import download_response

from .studies import study_page


@permissions.study_view()
def export(request, study, table):
    if table not in services.EXPORT_TABLES or table == "bundle":
        raise Http404("Unknown export table.")
    return _export_response(request, study, table)


@permissions.study_view()
def export_bundle(request, study):
    return _export_response(request, study, "bundle")


def _include_synthetic(request) -> bool:
    # Simulated participants only when asked for (?include_synthetic=1); each row says so.
    return request.GET.get("include_synthetic") in ("1", "true", "yes")


def _export_response(request, study, table: str) -> HttpResponse:
    try:
        return download_response(
            lambda handle: services.study_export(
                study=study,
                table=table,
                handle=handle,
                actor=request.user,
                include_synthetic=_include_synthetic(request),
            )
        )
    except allocation.DesignError as problem:
        # The allocation table (alone or in the bundle) of a draft whose design cannot be
        # allocated yet: the study page says why, instead of a 500.
        messages.error(request, f"No {table} export until the design can be allocated: {problem}.")
        return study_page(request, study, status=409)
