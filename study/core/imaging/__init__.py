"""DICOM case images, framework-free: vet, de-identify and render one upload (no Django here).

    processed = dicom_process(data, filename="case-01.dcm", uid_secret=secret)

returns a frozen ProcessedImage whose bytes fields are the files to store (de-identified DICOM,
native display PNG, WebP preview and thumbnail, window-preset PNGs, the viewer's packed 16-bit
window/level source) with a sha256 per file, or raises DicomError(filename, code, reason) with
one of the codes documented in ERROR_CODES. Modules: reading (parse and vet), rendering (LUT
chain), source (the packed source), encoding (PNG), deidentify (allow-list rebuild),
processing (the entry point), errors.
"""

from study.core.imaging.deidentify import ADDED_KEYWORDS, KEPT_KEYWORDS, derive_uid
from study.core.imaging.errors import ERROR_CODES, DicomError
from study.core.imaging.processing import (
    DEFAULT_MODALITIES,
    PREVIEW_HEIGHT,
    THUMBNAIL_SIZE,
    ProcessedImage,
    dicom_process,
)
from study.core.imaging.reading import MAX_PIXELS, MAX_SIDE, SUPPORTED_TRANSFER_SYNTAXES
from study.core.imaging.rendering import PRESET_WIDTH_FACTORS, Window, render_display

__all__ = [
    "ADDED_KEYWORDS",
    "DEFAULT_MODALITIES",
    "ERROR_CODES",
    "KEPT_KEYWORDS",
    "MAX_PIXELS",
    "MAX_SIDE",
    "PRESET_WIDTH_FACTORS",
    "PREVIEW_HEIGHT",
    "SUPPORTED_TRANSFER_SYNTAXES",
    "THUMBNAIL_SIZE",
    "DicomError",
    "ProcessedImage",
    "Window",
    "derive_uid",
    "dicom_process",
    "render_display",
]
