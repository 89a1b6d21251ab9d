"""HTTP helpers shared by the surfaces (participant, console); no rules live here."""

import tempfile
from collections.abc import Callable
from typing import IO, Protocol

from django.core.files import File
from django.http import FileResponse

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
