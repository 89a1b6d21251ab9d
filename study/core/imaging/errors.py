"""The one exception a bad DICOM upload raises: a stable code plus a reason that names the file."""

from __future__ import annotations

# Every code dicom_process can raise, with what it means. The Django layer shows `reason` to the
# researcher and may branch on `code`; keep codes stable once released.
ERROR_CODES: dict[str, str] = {
    "not_dicom": "the bytes are not a DICOM Part 10 file ('DICM' missing at byte 128)",
    "unsupported_transfer_syntax": "the pixel data encoding cannot be decoded here",
    "invalid_attributes": "a required image attribute is missing or malformed",
    "no_pixel_data": "the file holds no image (e.g. a structured report)",
    "wrong_modality": "the modality is not one of the accepted (radiography) modalities",
    "multi_frame": "the file holds more than one frame",
    "colour": "the image is not greyscale (MONOCHROME1/MONOCHROME2, one sample per pixel)",
    "unsupported_pixel_format": "bits allocated is not 8 or 16, or the pixels are floating point",
    "too_large": "the declared dimensions exceed the limits (decompression-bomb guard)",
    "burned_in_annotation": "BurnedInAnnotation is YES: identifying text may be in the pixels",
    "truncated": "the file ends before its pixel data does",
    "undecodable": "the file or its pixel data is corrupt or self-contradictory (e.g. the "
    "compressed frame's own size differs from Rows/Columns) and could not be read",
}


class DicomError(ValueError):
    """A file that cannot become a case image; str() is "<filename>: <reason>"."""

    def __init__(self, *, filename: str, code: str, reason: str) -> None:
        if code not in ERROR_CODES:
            raise KeyError(f"unknown DicomError code {code!r}")
        self.filename = filename
        self.code = code
        self.reason = reason
        super().__init__(f"{filename}: {reason}")

    def __reduce__(self):  # keep the keyword-only constructor picklable (multiprocessing, caches)
        return _rebuild, (self.filename, self.code, self.reason)


def _rebuild(filename: str, code: str, reason: str) -> DicomError:
    return DicomError(filename=filename, code=code, reason=reason)
