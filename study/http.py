"""HTTP helpers shared by the surfaces (participant, console); no rules live here."""

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
