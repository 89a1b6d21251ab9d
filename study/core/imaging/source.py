"""The viewer's window/level source: an image's modality values packed into 16 bits per pixel,
written as an RGB PNG (high byte red, low byte green, blue 0) the browser reads back exactly.

The rule: v = min + packed * scale recovers every modality value (after the modality LUT or
rescale) within one quantisation step, exactly when the values are integers spanning at most
65536 levels. The PNG has the display image's size and carries pixels only (no gamma, ICC or
text chunk), so a canvas sees the stored bytes and a participant sees no metadata. The mapping
gives, in modality units, the value range, the default window and each preset's window; the
viewer maps packed values through a 65536-entry table built from a window exactly as
rendering.apply_window and to_grey_levels do (MONOCHROME1 is inverted once, at the end).
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from types import MappingProxyType
from typing import Any

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.pixels.processing import apply_modality_lut

from study.core.imaging.encoding import png_rgb_bytes
from study.core.imaging.errors import DicomError
from study.core.imaging.reading import read_radiograph
from study.core.imaging.rendering import (
    PRESET_WIDTH_FACTORS,
    RenderPlan,
    Window,
    plan_rendering,
    stored_value_domain,
    unsigned_view,
)

SOURCE_VERSION = 1
PACKED_LEVELS = 65536


@dataclass(frozen=True)
class SourceImage:
    png: bytes  # RGB, 8 bits per channel: packed >> 8 in red, packed & 0xFF in green
    window: MappingProxyType  # the mapping documented in the module docstring (JSON-ready)


def _window_json(window: Window) -> dict[str, Any]:
    return {"center": window.center, "width": window.width, "function": window.function}


def preset_windows(plan: RenderPlan) -> dict[str, dict[str, Any]]:
    """The viewer's presets as windows, named as the pre-rendered preset images are.

    "default" is the file's window (the linear base window when a VOI LUT Sequence gave the
    default rendering: a table cannot be dragged); the others widen and narrow the base window
    exactly as plan_rendering does."""
    base = plan.base_window
    presets = {"default": _window_json(plan.default_window or base)}
    function = "LINEAR_EXACT" if base.function == "LINEAR_EXACT" else "LINEAR"
    for name, factor in PRESET_WIDTH_FACTORS:
        width = max(base.width * factor, 1.0)
        presets[name] = _window_json(Window(center=base.center, width=width, function=function))
    return presets


def packed_values(dataset: Dataset, pixels: np.ndarray) -> tuple[np.ndarray, float, float, float]:
    """(packed uint16 image, min, max, scale) of the image's modality values."""
    domain = stored_value_domain(pixels)
    modality = np.asarray(apply_modality_lut(domain, dataset), dtype=np.float64)
    positions = unsigned_view(pixels)
    # Evaluated once per stored value, like the render tables: the image is one gather.
    present = np.bincount(positions.ravel(), minlength=domain.size).astype(bool)
    used = modality[present]
    low, high = float(used.min()), float(used.max())
    exact = high - low < PACKED_LEVELS and bool(np.all(used == np.rint(used)))
    if exact:
        scale = 1.0
        table = modality - low
    else:
        scale = (high - low) / (PACKED_LEVELS - 1)
        table = np.rint((modality - low) / scale)
    # Entries no pixel uses may fall outside the range; they are never looked up.
    table = np.clip(table, 0, PACKED_LEVELS - 1).astype(np.uint16)
    return table[positions], low, high, scale


def source_render(
    dataset: Dataset, pixels: np.ndarray, *, plan: RenderPlan | None = None
) -> SourceImage:
    """The packed source PNG and its mapping for a single-frame greyscale dataset's pixels."""
    if plan is None:
        plan = plan_rendering(dataset, pixels)
    packed, low, high, scale = packed_values(dataset, pixels)
    rgb = np.zeros((*packed.shape, 3), dtype=np.uint8)
    rgb[..., 0] = packed >> 8
    rgb[..., 1] = packed & 0xFF
    presets = preset_windows(plan)
    photometric = str(dataset.PhotometricInterpretation).strip().upper()
    window = {
        "version": SOURCE_VERSION,
        "min": low,
        "max": high,
        "scale": scale,
        **presets["default"],
        "invert": photometric == "MONOCHROME1",
        "presets": presets,
    }
    return SourceImage(png=png_rgb_bytes(rgb), window=MappingProxyType(window))


def source_from_dicom(data: bytes, *, filename: str) -> SourceImage:
    """The source of a stored de-identified DICOM (a case rendered before sources existed):
    the same values as at upload, since the rebuild keeps every attribute the chain reads."""
    try:
        header = pydicom.dcmread(BytesIO(data), stop_before_pixels=True)
        # Its modality was accepted at upload; the study's list may have changed since.
        modality = str(header.get("Modality", "") or "").strip().upper()
        decoded = read_radiograph(data, filename=filename, allowed_modalities=(modality,))
        return source_render(decoded.dataset, decoded.pixels)
    except DicomError:
        raise
    except Exception as exc:  # a damaged stored file: one error type for the caller, as at upload
        detail = " ".join(str(exc).split())[:200]
        raise DicomError(
            filename=filename,
            code="undecodable",
            reason=f"the stored file could not be read ({type(exc).__name__}: {detail})",
        ) from exc
