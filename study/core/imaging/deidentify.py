"""De-identification by allow-list rebuild: a new dataset holding only what display needs.

The rule: nothing is copied unless it is named in KEPT_KEYWORDS (or rebuilt below), so new,
private, retired or unexpected attributes can never leak. UIDs are replaced by HMAC-derived
'2.25.' UIDs: the same original UID and secret always give the same new UID (so images of one
study stay together across uploads), and without the secret the originals cannot be recovered.
The file meta group and the 128-byte preamble are rebuilt too (PS3.15 E.1.1 point 7).
"""

from __future__ import annotations

import hashlib
import hmac
from io import BytesIO

import numpy as np
import pydicom
from pydicom import uid
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence

# Display-relevant, non-identifying attributes copied unchanged when present.
KEPT_KEYWORDS: tuple[str, ...] = (
    "SOPClassUID",
    "Modality",
    "ImageType",
    "BodyPartExamined",
    "ViewPosition",
    "PatientOrientation",
    "Laterality",
    "ImageLaterality",
    "PixelSpacing",
    "ImagerPixelSpacing",
    "PixelSpacingCalibrationType",
    "PixelAspectRatio",
    "SamplesPerPixel",
    "PhotometricInterpretation",
    "Rows",
    "Columns",
    "BitsAllocated",
    "BitsStored",
    "HighBit",
    "PixelRepresentation",
    "PresentationLUTShape",
    "RescaleIntercept",
    "RescaleSlope",
    "RescaleType",
    "WindowCenter",
    "WindowWidth",
    "VOILUTFunction",
    "LossyImageCompression",
    "LossyImageCompressionRatio",
    "LossyImageCompressionMethod",
    "BurnedInAnnotation",
    "RecognizableVisualFeatures",
)

# Attributes kept inside each LUT sequence item; explanations are free text and are dropped.
LUT_ITEM_KEYWORDS: dict[str, tuple[str, ...]] = {
    "ModalityLUTSequence": ("LUTDescriptor", "ModalityLUTType", "LUTData"),
    "VOILUTSequence": ("LUTDescriptor", "LUTData"),
}

# Attributes the rebuild adds itself; every other one in the output comes from the lists above.
ADDED_KEYWORDS: tuple[str, ...] = (
    "StudyInstanceUID",
    "SeriesInstanceUID",
    "SOPInstanceUID",
    "PatientIdentityRemoved",
    "DeidentificationMethod",
    "DeidentificationMethodCodeSequence",
    "PixelData",
)

DEIDENTIFICATION_METHOD = "TrustLab allow-list rebuild; new UIDs; no dates"
IMPLEMENTATION_VERSION_NAME = "TRUSTLAB_1"
UID_ROOT = "2.25."


def derive_uid(*, original: str, role: str, secret: bytes) -> str:
    """A '2.25.' UID (PS3.5 B.2) from an RFC 9562 version-8 UUID keyed on the original UID."""
    digest = bytearray(
        hmac.new(secret, f"{role}\x00{original}".encode(), hashlib.sha256).digest()[:16]
    )
    digest[6] = (digest[6] & 0x0F) | 0x80  # version 8: custom
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    return UID_ROOT + str(int.from_bytes(digest, "big"))


def _copy_lut_sequence(source: Dataset, target: Dataset, keyword: str) -> None:
    sequence = source.get(keyword)
    if not sequence:
        return
    items = []
    for source_item in sequence:
        item = Dataset()
        for item_keyword in LUT_ITEM_KEYWORDS[keyword]:
            if item_keyword in source_item:
                item[item_keyword] = source_item[item_keyword]
        items.append(item)
    setattr(target, keyword, Sequence(items))


def _native_pixel_data(pixels: np.ndarray) -> bytes:
    return np.ascontiguousarray(pixels, dtype=pixels.dtype.newbyteorder("<")).tobytes()


def deidentified_dataset(
    *,
    source: Dataset,
    pixels: np.ndarray,
    uid_secret: bytes,
    lossy_method: str | None,
) -> Dataset:
    """The rebuilt dataset: kept attributes, decoded pixels, new UIDs, de-identification marks."""
    target = Dataset()
    for keyword in KEPT_KEYWORDS:
        if keyword in source:
            target[keyword] = source[keyword]
    for keyword in LUT_ITEM_KEYWORDS:
        _copy_lut_sequence(source, target, keyword)

    sop_instance = str(source.get("SOPInstanceUID", "") or "")
    if not sop_instance:
        # No original to key on: fall back to the pixels so that the result stays a pure function.
        sop_instance = "pixels:" + hashlib.sha256(_native_pixel_data(pixels)).hexdigest()
    study = str(source.get("StudyInstanceUID", "") or "") or "from-sop:" + sop_instance
    series = str(source.get("SeriesInstanceUID", "") or "") or "from-sop:" + sop_instance
    target.StudyInstanceUID = derive_uid(original=study, role="study", secret=uid_secret)
    target.SeriesInstanceUID = derive_uid(original=series, role="series", secret=uid_secret)
    target.SOPInstanceUID = derive_uid(original=sop_instance, role="sop", secret=uid_secret)

    if lossy_method is not None:
        # Decoding to native does not undo lossy compression; later readers must still know.
        target.LossyImageCompression = "01"
        if "LossyImageCompressionMethod" not in target:
            target.LossyImageCompressionMethod = lossy_method

    target.PatientIdentityRemoved = "YES"
    target.DeidentificationMethod = DEIDENTIFICATION_METHOD
    code = Dataset()
    code.CodeValue = "113100"
    code.CodingSchemeDesignator = "DCM"
    code.CodeMeaning = "Basic Application Confidentiality Profile"
    target.DeidentificationMethodCodeSequence = Sequence([code])

    target.add_new(
        0x7FE00010, "OB" if pixels.dtype.itemsize == 1 else "OW", _native_pixel_data(pixels)
    )
    # The stored file always has BitsAllocated of the decoded array (JPEG decoders may widen).
    target.BitsAllocated = 8 * pixels.dtype.itemsize
    target.PixelRepresentation = 1 if pixels.dtype.kind == "i" else 0
    target.HighBit = int(target.BitsStored) - 1
    return target


def deidentified_dicom_bytes(*, dataset: Dataset) -> bytes:
    """Write a rebuilt dataset as a DICOM Part 10 file in Explicit VR Little Endian."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = dataset.SOPClassUID
    meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
    meta.TransferSyntaxUID = uid.ExplicitVRLittleEndian
    meta.ImplementationClassUID = uid.PYDICOM_IMPLEMENTATION_UID
    meta.ImplementationVersionName = IMPLEMENTATION_VERSION_NAME
    dataset.file_meta = meta
    dataset.preamble = b"\x00" * 128
    buffer = BytesIO()
    pydicom.dcmwrite(buffer, dataset, enforce_file_format=True)
    return buffer.getvalue()
