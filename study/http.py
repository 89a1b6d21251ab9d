"""HTTP helpers shared by the surfaces (participant, console) and the site's error pages; no
rules live here."""

import tempfile
from collections.abc import Callable
from typing import IO, Protocol

from django.conf import settings
from django.core.files import File
from django.http import FileResponse, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

_IMAGE_TYPES = {".png": "image/png", ".webp": "image/webp", ".jpg": "image/jpeg"}


def image_response(stored: File, *, name: str) -> FileResponse:
    """A case derivative as a response: its type by name, cached for good (the name carries a
    content hash), and no Content-Disposition (FileResponse would name the storage path)."""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    content_type = _IMAGE_TYPES.get(suffix, "application/octet-stream")
    response = FileResponse(stored.open("rb"), content_type=content_type)
    del response["Content-Disposition"]
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response


class _Written(Protocol):
    filename: str
    content_type: str


def download_response(write: Callable[[IO[bytes]], _Written]) -> FileResponse:
    """A download written by `write` into an anonymous temporary file (never held in memory,
    never named on disk: it goes with its process even on kill -9). FileResponse closes it
    after sending; if `write` fails, it is closed here, at once."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed below or by FileResponse
    try:
        written = write(handle)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return FileResponse(
        handle, as_attachment=True, filename=written.filename, content_type=written.content_type
    )


def _error_page(
    template: str, status: int, request: HttpRequest | None, **context: object
) -> HttpResponse:
    # Pages outside a study (an unknown token, a typo) have no study language to follow: the
    # browser's (Accept-Language) among the site's stands in, as on the 429 page.
    language = translation.get_language_from_request(request) if request else settings.LANGUAGE_CODE
    with translation.override(language):
        body = render_to_string(template, context, request=request)
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page("400.html", 400, request)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A researcher is told why (the refusal's own words: "Your role ... does not allow this");
    # a participant's page stays generic.
    console = request is not None and request.path.startswith("/console/")
    reason = str(exception or "") if console else ""
    return _error_page("403.html", 403, request, reason=reason)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page("404.html", 404, request)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: whatever broke the request (the database, a context processor)
    # must not break its error page too.
    return _error_page("500.html", 500, None)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its cookie or from a page kept open past its session: the reader
    is told to reload, in their language, instead of Django's English debugging page."""
    return _error_page("403_csrf.html", 403, request)
