"""Parse and vet an uploaded DICOM file in memory: refuse anything but one greyscale radiograph.

Every check that can be made from the header runs before any pixel data is decoded, so a
decompression bomb or an MR series costs a header parse, not a decode.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from io import BytesIO

import numpy as np
import pydicom
from pydicom import uid
from pydicom.dataset import Dataset
from pydicom.encaps import generate_frames
from pydicom.filereader import _read_file_meta_info, read_preamble
from pydicom.pixels import get_decoder
from pydicom.pixels.utils import _get_jpg_parameters

from study.core.imaging.errors import DicomError

# Decompression-bomb guard, checked against the declared Rows/Columns before decoding. The
# largest radiography detectors are about 4300 x 4300; 8192 leaves room for stitched images.
MAX_SIDE = 8192
MAX_PIXELS = 50_000_000

# Decodable with pydicom 3 plus the pylibjpeg plugins. Deflated Explicit VR Little Endian is left
# out on purpose: pydicom inflates the whole body in memory before any size check could run.
SUPPORTED_TRANSFER_SYNTAXES: frozenset[str] = frozenset(
    {
        uid.ImplicitVRLittleEndian,
        uid.ExplicitVRLittleEndian,
        uid.ExplicitVRBigEndian,
        uid.JPEGBaseline8Bit,
        uid.JPEGExtended12Bit,
        uid.JPEGLossless,
        uid.JPEGLosslessSV1,
        uid.JPEGLSLossless,
        uid.JPEGLSNearLossless,
        uid.JPEG2000Lossless,
        uid.JPEG2000,
        uid.HTJ2KLossless,
        uid.HTJ2KLosslessRPCL,
        uid.HTJ2K,
        uid.RLELossless,
    }
)

# Transfer syntaxes whose pixels have already lost information; the rebuilt file says so
# (PS3.3 C.7.6.1.1.5: once lossy, always flagged).
LOSSY_METHODS: dict[str, str] = {
    uid.JPEGBaseline8Bit: "ISO_10918_1",
    uid.JPEGExtended12Bit: "ISO_10918_1",
    uid.JPEGLSNearLossless: "ISO_14495_1",
    uid.JPEG2000: "ISO_15444_1",
    uid.HTJ2K: "ISO_15444_15",
}

GREYSCALE = ("MONOCHROME1", "MONOCHROME2")

JPEG_FAMILY = frozenset(
    {
        uid.JPEGBaseline8Bit,
        uid.JPEGExtended12Bit,
        uid.JPEGLossless,
        uid.JPEGLosslessSV1,
        uid.JPEGLSLossless,
        uid.JPEGLSNearLossless,
    }
)
J2K_FAMILY = frozenset(
    {uid.JPEG2000Lossless, uid.JPEG2000, uid.HTJ2KLossless, uid.HTJ2KLosslessRPCL, uid.HTJ2K}
)


@dataclass(frozen=True)
class DecodedImage:
    """A vetted dataset and its decoded stored values (shape rows x columns)."""

    dataset: Dataset
    pixels: np.ndarray
    transfer_syntax: uid.UID


def transfer_syntax_label(transfer_syntax: uid.UID) -> str:
    name = transfer_syntax.name
    return f"{name} ({transfer_syntax})" if name != str(transfer_syntax) else str(transfer_syntax)


def read_radiograph(
    data: bytes, *, filename: str, allowed_modalities: tuple[str, ...]
) -> DecodedImage:
    """Parse `data`, check it is one greyscale radiograph of sane size, decode its pixels."""

    def fail(code: str, reason: str) -> DicomError:
        return DicomError(filename=filename, code=code, reason=reason)

    if len(data) < 132 or data[128:132] != b"DICM":
        raise fail("not_dicom", "not a DICOM file (no 'DICM' marker at byte 128)")
    transfer_syntax = _transfer_syntax(data, fail)
    stream = _CutShortDetector(data)
    dataset = pydicom.dcmread(stream)
    if stream.cut_short and ("PixelData" not in dataset or transfer_syntax.is_compressed):
        # pydicom stops quietly at a truncated attribute; without this the file would be
        # reported as having no pixel data, or as corrupt, instead of as cut off.
        raise fail(
            "truncated",
            f"the file is truncated (it ends inside an attribute after {len(data)} bytes)",
        )
    _check_header(dataset, fail, allowed_modalities)
    pixels = _decode(dataset, transfer_syntax, fail)
    return DecodedImage(dataset=dataset, pixels=pixels, transfer_syntax=transfer_syntax)


class _CutShortDetector(BytesIO):
    """A stream that notes when a read got fewer bytes than asked for, i.e. the data ends early.

    pydicom probes for the next attribute with read(8) (4 for an item tag); an empty answer to
    that is the normal end of the file, anything else short is a truncation.
    """

    cut_short = False

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        if size is not None and size > 0 and len(chunk) < size and (chunk or size > 8):
            self.cut_short = True
        return chunk


def _transfer_syntax(data: bytes, fail) -> uid.UID:
    # Read only the file meta group first: the body's encoding decides whether parsing it is safe.
    stream = _CutShortDetector(data)
    read_preamble(stream, False)
    meta = _read_file_meta_info(stream)
    if stream.cut_short:
        raise fail(
            "truncated",
            f"the file is truncated (it ends inside its file meta information after "
            f"{len(data)} bytes)",
        )
    value = meta.get("TransferSyntaxUID")
    if not value:
        raise fail(
            "unsupported_transfer_syntax",
            "the file meta information names no transfer syntax",
        )
    transfer_syntax = uid.UID(str(value).strip("\x00 "))
    if transfer_syntax not in SUPPORTED_TRANSFER_SYNTAXES:
        raise fail(
            "unsupported_transfer_syntax",
            f"unsupported transfer syntax {transfer_syntax_label(transfer_syntax)}",
        )
    if transfer_syntax.is_compressed and not get_decoder(transfer_syntax).is_available:
        raise fail(
            "unsupported_transfer_syntax",
            f"no decoder installed for {transfer_syntax_label(transfer_syntax)}",
        )
    return transfer_syntax


def _integer(dataset: Dataset, keyword: str, fail, *, default: int | None = None) -> int:
    value = dataset.get(keyword, default)
    if value is None or value == "":
        if default is not None:
            return default
        raise fail("invalid_attributes", f"{keyword} is missing")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise fail("invalid_attributes", f"{keyword} is not an integer ({value!r})") from None


def _check_header(dataset: Dataset, fail, allowed_modalities: tuple[str, ...]) -> None:
    if "PixelData" not in dataset:
        if "FloatPixelData" in dataset or "DoubleFloatPixelData" in dataset:
            raise fail("unsupported_pixel_format", "floating-point pixel data is not supported")
        raise fail("no_pixel_data", "no pixel data (the file holds no image)")

    accepted = ", ".join(allowed_modalities)
    modality = str(dataset.get("Modality", "") or "").strip().upper()
    if not modality:
        raise fail("wrong_modality", f"Modality is missing (accepted: {accepted})")
    if modality not in allowed_modalities:
        raise fail("wrong_modality", f"modality {modality} is not accepted (accepted: {accepted})")

    if not str(dataset.get("SOPClassUID", "") or "").strip():
        raise fail("invalid_attributes", "SOPClassUID is missing")

    frames = _integer(dataset, "NumberOfFrames", fail, default=1)
    if frames > 1:
        raise fail(
            "multi_frame",
            f"multi-frame image ({frames} frames); only single-frame radiographs are accepted",
        )

    samples = _integer(dataset, "SamplesPerPixel", fail)
    photometric = str(dataset.get("PhotometricInterpretation", "") or "").strip().upper()
    if not photometric:
        raise fail("invalid_attributes", "PhotometricInterpretation is missing")
    if samples != 1 or photometric not in GREYSCALE:
        raise fail(
            "colour",
            f"colour image (PhotometricInterpretation {photometric}, SamplesPerPixel {samples}); "
            "only greyscale MONOCHROME1/MONOCHROME2 images are accepted",
        )

    rows = _integer(dataset, "Rows", fail)
    columns = _integer(dataset, "Columns", fail)
    if rows < 1 or columns < 1:
        raise fail("invalid_attributes", f"image size {columns} x {rows} pixels is empty")
    if rows > MAX_SIDE or columns > MAX_SIDE or rows * columns > MAX_PIXELS:
        raise fail(
            "too_large",
            f"image of {columns} x {rows} pixels exceeds the limit of {MAX_SIDE} pixels per "
            f"side and {MAX_PIXELS // 1_000_000} megapixels",
        )

    bits_allocated = _integer(dataset, "BitsAllocated", fail)
    bits_stored = _integer(dataset, "BitsStored", fail)
    pixel_representation = _integer(dataset, "PixelRepresentation", fail)
    if bits_allocated not in (8, 16):
        raise fail(
            "unsupported_pixel_format",
            f"BitsAllocated {bits_allocated} is not supported (only 8 or 16)",
        )
    if not 1 <= bits_stored <= bits_allocated:
        raise fail(
            "invalid_attributes",
            f"BitsStored {bits_stored} does not fit BitsAllocated {bits_allocated}",
        )
    if pixel_representation not in (0, 1):
        raise fail(
            "invalid_attributes", f"PixelRepresentation {pixel_representation} is not 0 or 1"
        )

    burned_in = str(dataset.get("BurnedInAnnotation", "") or "").strip().upper()
    if burned_in == "YES":
        raise fail(
            "burned_in_annotation",
            "BurnedInAnnotation is YES (identifying text may be burned into the pixels); "
            "remove the annotation at the source and export again",
        )


def codestream_size(frame: bytes, transfer_syntax: uid.UID) -> tuple[int, int] | None:
    """(columns, rows) declared inside a JPEG, JPEG-LS or JPEG 2000 frame, None if not found."""
    if transfer_syntax in JPEG_FAMILY:
        parameters = _get_jpg_parameters(frame)
        if "width" in parameters:
            return parameters["width"], parameters["height"]
        return None
    if transfer_syntax in J2K_FAMILY:
        # SOC then SIZ (ISO 15444-1 A.5.1): Lsiz, Rsiz, Xsiz, Ysiz, XOsiz, YOsiz. A JP2 wrapper
        # puts boxes first, so look for the marker pair rather than assume offset 0.
        start = frame.find(b"\xff\x4f\xff\x51", 0, 4096)
        if start < 0 or len(frame) < start + 24:
            return None
        x_size, y_size, x_offset, y_offset = struct.unpack(">IIII", frame[start + 8 : start + 24])
        return x_size - x_offset, y_size - y_offset
    return None


def _check_codestream(dataset: Dataset, transfer_syntax: uid.UID, fail) -> None:
    # The decoders allocate what the codestream declares, not what Rows/Columns say: a tiny
    # frame claiming 65535 x 65535 would be a decompression bomb behind a harmless header.
    rows, columns = int(dataset.Rows), int(dataset.Columns)
    frame = next(generate_frames(dataset.PixelData, number_of_frames=1), b"")
    size = codestream_size(frame, transfer_syntax)
    if size is not None and size != (columns, rows):
        raise fail(
            "undecodable",
            f"the compressed frame is {size[0]} x {size[1]} pixels but Columns/Rows say "
            f"{columns} x {rows}",
        )


def _decode(dataset: Dataset, transfer_syntax: uid.UID, fail) -> np.ndarray:
    rows, columns = int(dataset.Rows), int(dataset.Columns)
    if transfer_syntax.is_compressed:
        _check_codestream(dataset, transfer_syntax, fail)
    if not transfer_syntax.is_compressed:
        expected = rows * columns * (int(dataset.BitsAllocated) // 8)
        actual = len(dataset.PixelData)
        if actual < expected:
            raise fail(
                "truncated",
                f"pixel data is truncated ({actual} bytes, {expected} expected for "
                f"{columns} x {rows} pixels)",
            )
    try:
        pixels = dataset.pixel_array
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # any decoder failure, a Rust panic included, means the same
        detail = " ".join(str(exc).split())[:200]
        raise fail(
            "undecodable",
            f"pixel data could not be decoded ({transfer_syntax.name}): {detail}",
        ) from exc
    if pixels.shape != (rows, columns):
        raise fail(
            "undecodable",
            f"decoded pixel data has shape {pixels.shape}, expected ({rows}, {columns})",
        )
    return pixels
