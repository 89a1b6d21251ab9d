"""Console downloads: the export tables, the zip bundle and the analysis report."""

from csp.decorators import csp_update
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

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


# The figures are inline SVG with matplotlib's style attributes: this page alone allows inline
# styles (never inline scripts).
@csp_update({"style-src": ["'unsafe-inline'"]})
@permissions.study_view()
def report(request, study):
    """The analysis report of the study's current data."""
    try:
        # A demo or a pilot is simulated data by design: its report includes it, and says so.
        html = services.study_report(
            study=study,
            actor=request.user,
            include_synthetic=study.is_demo or study.pilot_mode or _include_synthetic(request),
        )
    except services.ReportUnavailable as error:
        messages.error(request, str(error))
        return redirect("console:study", study.slug)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{study.slug}-report.html"'
    return response
