"""One upload in, every stored derivative out: the single entry point the Django layer calls.

The rule: dicom_process is a pure function of its arguments. It reads only the bytes it is
given (nothing is written to disk, the original is never kept), and for any bad file it raises
DicomError and nothing else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from types import MappingProxyType

from PIL import Image

from study.core.imaging.deidentify import deidentified_dataset, deidentified_dicom_bytes
from study.core.imaging.encoding import png_bytes
from study.core.imaging.errors import DicomError
from study.core.imaging.reading import LOSSY_METHODS, read_radiograph
from study.core.imaging.rendering import Window, apply_lookup, plan_rendering
from study.core.imaging.source import source_render

DEFAULT_MODALITIES: tuple[str, ...] = ("CR", "DX")

PREVIEW_HEIGHT = 1024
THUMBNAIL_SIZE = 256
# The native PNGs (display + presets) dominate the cost of an upload; zlib releases the GIL, so
# two threads use both cores of a small server.
PNG_THREADS = 2
WEBP_QUALITY = 85
WEBP_METHOD = 2  # 0 (fastest) .. 6 (smallest); 2 is within a few percent of 4's size


@dataclass(frozen=True)
class ProcessedImage:
    """Everything derived from one accepted upload; every bytes field is a file to store."""

    filename: str
    deidentified_dicom: bytes  # Explicit VR Little Endian, allow-list rebuild
    display_png: bytes  # native resolution, default window
    preview_webp: bytes  # PREVIEW_HEIGHT high (never upscaled)
    thumbnail_webp: bytes  # fits THUMBNAIL_SIZE x THUMBNAIL_SIZE
    presets: tuple[tuple[str, bytes], ...]  # native PNGs; ("default", display_png) comes first
    source_png: bytes  # the viewer's packed 16-bit window/level source (imaging.source)
    source_window: Mapping  # how its packed values map to modality units, and the windows
    sha256: Mapping[str, str]  # hex digest per file: field name, or "preset:<name>"
    width: int
    height: int
    preview_size: tuple[int, int]  # (width, height)
    thumbnail_size: tuple[int, int]
    modality: str
    photometric: str  # of the upload, MONOCHROME1 or MONOCHROME2
    bits_stored: int
    transfer_syntax_uid: str  # of the upload
    transfer_syntax_name: str
    window_source: str  # "voi_lut_sequence", "window" or "percentile"
    default_window: Window | None  # None when a VOI LUT Sequence gave the default
    needs_review: bool  # True unless the upload says BurnedInAnnotation NO
    study_instance_uid: str  # the new, derived UIDs
    series_instance_uid: str
    sop_instance_uid: str


def _webp(image: Image.Image, *, quality: int = WEBP_QUALITY) -> bytes:
    buffer = BytesIO()
    image.save(buffer, format="WEBP", quality=quality, method=WEBP_METHOD)
    return buffer.getvalue()


def _fit(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    scale = min(box[0] / width, box[1] / height, 1.0)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _resized(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if size == image.size:
        return image
    # reducing_gap=1.0: an integer box reduction first (itself a good anti-alias filter), then
    # Lanczos over the remaining < 2x; several times faster than Lanczos over the full image.
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=1.0)


def dicom_process(
    data: bytes,
    *,
    filename: str,
    uid_secret: bytes,
    allowed_modalities: Iterable[str] = DEFAULT_MODALITIES,
) -> ProcessedImage:
    """Vet, de-identify and render one uploaded DICOM file held in memory.

    Raises DicomError (see ERROR_CODES) for any file that cannot become a case image, and
    TypeError/ValueError only for programming errors in the arguments themselves.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    if not isinstance(uid_secret, bytes) or len(uid_secret) < 16:
        raise ValueError("uid_secret must be at least 16 bytes")
    modalities = tuple(str(m).strip().upper() for m in allowed_modalities)
    if not modalities:
        raise ValueError("allowed_modalities is empty")
    try:
        return _process(
            bytes(data), filename=filename, uid_secret=uid_secret, modalities=modalities
        )
    except DicomError:
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:
        # pydicom and the decoders raise many types on corrupt input; to the uploader they all
        # mean one thing. MemoryError lands here too (a header that lies about lengths), and so
        # does a Rust decoder's panic (pyo3's PanicException derives from BaseException).
        detail = " ".join(str(exc).split())[:200]
        raise DicomError(
            filename=filename,
            code="undecodable",
            reason=f"the file is corrupt and could not be read ({type(exc).__name__}: {detail})",
        ) from exc


def _process(
    data: bytes, *, filename: str, uid_secret: bytes, modalities: tuple[str, ...]
) -> ProcessedImage:
    decoded = read_radiograph(data, filename=filename, allowed_modalities=modalities)
    source, pixels = decoded.dataset, decoded.pixels
    height, width = pixels.shape

    plan = plan_rendering(source, pixels)
    default_grey = apply_lookup(pixels, plan.lookup_tables[0][1])

    def render_png(table):
        # Lookup and zlib both release the GIL: the presets use the second core meanwhile.
        return png_bytes(default_grey if table is None else apply_lookup(pixels, table))

    with ThreadPoolExecutor(max_workers=PNG_THREADS) as pool:
        tables = [None] + [table for _, table in plan.lookup_tables[1:]]
        png_futures = [pool.submit(render_png, table) for table in tables]
        source_future = pool.submit(source_render, source, pixels, plan=plan)

        display_image = Image.fromarray(default_grey, mode="L")
        preview_size = _fit((width, height), (10 * width, PREVIEW_HEIGHT))
        preview_image = _resized(display_image, preview_size)
        thumbnail_image = _resized(preview_image, _fit(preview_size, (THUMBNAIL_SIZE,) * 2))
        preview_webp = _webp(preview_image)
        thumbnail_webp = _webp(thumbnail_image, quality=80)

        rebuilt = deidentified_dataset(
            source=source,
            pixels=pixels,
            uid_secret=uid_secret,
            lossy_method=LOSSY_METHODS.get(decoded.transfer_syntax),
        )
        dicom_bytes = deidentified_dicom_bytes(dataset=rebuilt)
        pngs = [future.result() for future in png_futures]
        viewer_source = source_future.result()

    presets = [(name, png) for (name, _), png in zip(plan.lookup_tables, pngs, strict=True)]
    display_png = pngs[0]
    files = {
        "deidentified_dicom": dicom_bytes,
        "display_png": display_png,
        "preview_webp": preview_webp,
        "thumbnail_webp": thumbnail_webp,
        "source_png": viewer_source.png,
    }
    files.update((f"preset:{name}", png) for name, png in presets[1:])
    digests = {key: hashlib.sha256(value).hexdigest() for key, value in files.items()}
    digests["preset:default"] = digests["display_png"]

    burned_in = str(source.get("BurnedInAnnotation", "") or "").strip().upper()
    return ProcessedImage(
        filename=filename,
        deidentified_dicom=dicom_bytes,
        display_png=display_png,
        preview_webp=preview_webp,
        thumbnail_webp=thumbnail_webp,
        presets=tuple(presets),
        source_png=viewer_source.png,
        source_window=viewer_source.window,
        sha256=MappingProxyType(digests),
        width=width,
        height=height,
        preview_size=preview_image.size,
        thumbnail_size=thumbnail_image.size,
        modality=str(source.Modality).strip().upper(),
        photometric=str(source.PhotometricInterpretation).strip().upper(),
        bits_stored=int(source.BitsStored),
        transfer_syntax_uid=str(decoded.transfer_syntax),
        transfer_syntax_name=decoded.transfer_syntax.name,
        window_source=plan.window_source,
        default_window=plan.default_window,
        needs_review=burned_in != "NO",
        study_instance_uid=str(rebuilt.StudyInstanceUID),
        series_instance_uid=str(rebuilt.SeriesInstanceUID),
        sop_instance_uid=str(rebuilt.SOPInstanceUID),
    )
