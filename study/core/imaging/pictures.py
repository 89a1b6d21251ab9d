"""PNG and JPEG pictures (the example library's), framework-free: decode, re-encode, nothing else.

Rule: a picture is decoded with Pillow and its pixels alone are written out again, so no
metadata of the upload survives (EXIF, XMP, ICC profiles, PNG text chunks: a camera's or a PACS
export's names and dates). Greyscale stays greyscale ("L"); colour becomes RGB. Anything that is
not a readable PNG or JPEG within the pixel limit raises PictureError naming the file.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from io import BytesIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from study.core.imaging.processing import PREVIEW_HEIGHT, WEBP_METHOD, WEBP_QUALITY
from study.core.imaging.reading import MAX_PIXELS, MAX_SIDE

FORMATS = ("PNG", "JPEG")


class PictureError(ValueError):
    """A file that cannot become an example picture; str() is "<filename>: <reason>"."""

    def __init__(self, *, filename: str, reason: str) -> None:
        self.filename = filename
        self.reason = reason
        super().__init__(f"{filename}: {reason}")


@dataclass(frozen=True)
class ProcessedPicture:
    display_png: bytes  # native resolution, pixels only
    preview_webp: bytes  # PREVIEW_HEIGHT high at most (never upscaled)
    width: int
    height: int


def _opened(data: bytes, filename: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Pillow warns (and past twice its limit raises) on huge images; the limit below is
            # ours, checked from the header before any pixel is decoded.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data))
    except Image.DecompressionBombError:
        raise PictureError(filename=filename, reason=_too_large_reason()) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise PictureError(
            filename=filename, reason="not a PNG or JPEG image (the file could not be read)"
        ) from None
    if image.format not in FORMATS:
        raise PictureError(
            filename=filename, reason=f"a {image.format} image; upload a PNG or JPEG (or DICOM)"
        )
    width, height = image.size
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise PictureError(filename=filename, reason=_too_large_reason(width, height))
    return image


def _too_large_reason(width: int | None = None, height: int | None = None) -> str:
    size = f" of {width} x {height} pixels" if width is not None else ""
    return (
        f"the image{size} exceeds the limit of {MAX_SIDE} pixels per side and "
        f"{MAX_PIXELS // 1_000_000} megapixels"
    )


def _pixels_only(image: Image.Image) -> Image.Image:
    """The picture as a new L or RGB image holding nothing but its pixels, upright."""
    image = ImageOps.exif_transpose(image)  # the orientation tag goes; keep what it meant
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        scaled = (values - low) / max(high - low, 1.0) * 255.0
        return Image.fromarray(scaled.astype(np.uint8))
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        # Transparent parts become black, the background of a radiograph.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
        image = Image.alpha_composite(background, rgba)
    if image.mode in ("1", "L"):
        return image.convert("L")
    rgb = np.asarray(image.convert("RGB"))
    if np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 1], rgb[..., 2]):
        # A grey picture saved as colour (common for exported radiographs): keep it grey.
        return Image.fromarray(np.ascontiguousarray(rgb[..., 0]))
    return Image.fromarray(np.ascontiguousarray(rgb))


def _encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def picture_process(data: bytes, *, filename: str) -> ProcessedPicture:
    """Decode one PNG or JPEG held in memory and re-encode its pixels: a native PNG and a WebP
    preview. Raises PictureError for any file that cannot be used, and nothing else."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    image = _opened(bytes(data), filename)
    try:
        image.load()
        clean = _pixels_only(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        detail = " ".join(str(error).split())[:200]
        raise PictureError(
            filename=filename, reason=f"the image is corrupt and could not be read ({detail})"
        ) from None
    width, height = clean.size
    preview = clean
    if height > PREVIEW_HEIGHT:
        preview_width = max(1, round(width * PREVIEW_HEIGHT / height))
        preview = clean.resize((preview_width, PREVIEW_HEIGHT), Image.Resampling.LANCZOS)
    return ProcessedPicture(
        display_png=_encoded(clean, "PNG"),
        preview_webp=_encoded(preview, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD),
        width=width,
        height=height,
    )
