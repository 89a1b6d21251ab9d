"""Uploads are held in memory, bounded, and never written to disk (FILE_UPLOAD_HANDLERS).

Django's default handlers spool an upload over 2.5 MB to a named temporary file; a worker killed
mid-upload leaves it behind, and a case archive holds patients' names. This handler keeps every
file of a request in memory up to UPLOAD_MAX_BYTES in all. Past that it drops what it holds,
reads the rest of the body without keeping it (so the client is still answered) and leaves the
reason for the view: `upload_refusal(request)`, which the view answers with 413.

Only a signed-in researcher uploads (the case archive): for anyone else the limit is
ANONYMOUS_UPLOAD_MAX_BYTES, so a stranger cannot make a participant URL hold hundreds of
megabytes in a worker's memory (no participant page has a file field)."""

from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers, StopUpload
from django.http import HttpRequest

from study.core.imaging.archive import size_text

# Room for the form's other fields and the multipart framing in a request's Content-Length.
FORM_ALLOWANCE = 64 * 1024
ANONYMOUS_UPLOAD_MAX_BYTES = 64 * 1024
_REFUSAL = "_upload_refusal"


def upload_max_bytes(request: HttpRequest | None = None) -> int:
    """The most a request may upload: UPLOAD_MAX_BYTES for a signed-in user (or when no
    request is given: the console form's own limit), ANONYMOUS_UPLOAD_MAX_BYTES otherwise."""
    user = getattr(request, "user", None) if request is not None else None
    if request is not None and not getattr(user, "is_authenticated", False):
        return ANONYMOUS_UPLOAD_MAX_BYTES
    return settings.UPLOAD_MAX_BYTES


def upload_refusal(request: HttpRequest) -> str | None:
    """Why the request's files were dropped, or None. Reading request.FILES first parses it."""
    request.FILES  # noqa: B018 - parsing the body is what decides
    return getattr(request, _REFUSAL, None)


class BoundedMemoryUploadHandler(FileUploadHandler):
    """Every uploaded file in a BytesIO; refuse past UPLOAD_MAX_BYTES for the whole request."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit = upload_max_bytes(self.request)
        self.declared = content_length
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.declared and self.declared > self.limit + FORM_ALLOWANCE:
            # The client says up front that it sends too much: refuse before any file byte.
            self._refuse(self.declared)
        self.file = BytesIO()
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self._refuse(self.received)
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )

    def _refuse(self, size: int):
        if hasattr(self, "file"):
            self.file.close()  # free what was held at once
        setattr(
            self.request,
            _REFUSAL,
            f"The upload is larger than {size_text(self.limit)}, the most this server accepts "
            f"at once (it has at least {size_text(size)}); nothing was kept. Split the cases "
            "into several archives, or ask the administrator to raise UPLOAD_MAX_MB.",
        )
        # connection_reset=False: the parser reads the rest of the body and drops it, so the
        # client can read the refusal instead of a reset connection.
        raise StopUpload(connection_reset=False)
