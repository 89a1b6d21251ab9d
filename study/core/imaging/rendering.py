"""Stored values -> 8-bit display grey levels: modality LUT, VOI window/LUT, MONOCHROME1 inversion.

The rule: the whole chain is evaluated once over every value the stored pixels can take (at most
65536 entries) and the image is then mapped with one table lookup. The chain follows PS3.3
C.11.2.1.2 and inverts MONOCHROME1 exactly once, here, at the end. pydicom's own
apply_voi_lut/apply_presentation_lut are not used for windowing because its presentation step
inverts MONOCHROME1 too, and applying both renders lungs white.

Presentation LUT Shape is not applied: in CR and DX images it restates the photometric
interpretation (INVERSE goes with MONOCHROME1, IDENTITY with MONOCHROME2), so honouring both
would invert twice. No flips or rotations are applied; pixels are shown as stored.

Window precedence for the "default" rendering: VOI LUT Sequence (first item), else the first
WindowCenter/WindowWidth pair with VOILUTFunction, else a percentile window. The percentile
window is LINEAR_EXACT from the 1st to the 99th percentile of the modality values of every
second pixel in both directions: robust to collimator edges and burned-out background, and
independent of BitsStored (many files declare 16 bits and use 12).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydicom.dataset import Dataset
from pydicom.pixels.processing import apply_modality_lut, apply_voi

VOI_FUNCTIONS = ("LINEAR", "LINEAR_EXACT", "SIGMOID")

# Presets are the default rendering plus linear windows around the same centre: "soft" is 1.5x
# wider (lower contrast), "bone" is 2/3 as wide (higher contrast, for cortical and trabecular
# detail). The names are viewer labels, not calibrated anatomical windows. Pre-rendering them
# lets the viewer swap images instead of re-windowing 8-bit data, which would band.
PRESET_WIDTH_FACTORS: tuple[tuple[str, float], ...] = (("soft", 1.5), ("bone", 2.0 / 3.0))

PERCENTILES = (1.0, 99.0)


@dataclass(frozen=True)
class Window:
    """A VOI window in modality units (PS3.3 C.11.2.1.2)."""

    center: float
    width: float
    function: str = "LINEAR"

    def __post_init__(self) -> None:
        if self.function not in VOI_FUNCTIONS:
            raise ValueError(f"VOI function {self.function!r} is not one of {VOI_FUNCTIONS}")
        minimum = 1.0 if self.function == "LINEAR" else 0.0
        if not np.isfinite(self.center) or not np.isfinite(self.width):
            raise ValueError(f"window {self.center}/{self.width} is not finite")
        if self.width < minimum or (minimum == 0.0 and self.width <= 0.0):
            raise ValueError(f"window width {self.width} is too small for {self.function}")


@dataclass(frozen=True)
class RenderPlan:
    """How one image is rendered: the default window and every preset's 8-bit lookup table."""

    window_source: str  # "voi_lut_sequence" | "window" | "percentile"
    default_window: Window | None  # None when the default comes from a VOI LUT Sequence
    base_window: Window  # the linear window the presets widen and narrow
    lookup_tables: tuple[tuple[str, np.ndarray], ...]  # ("default", lut), ("soft", lut), ...


def stored_value_domain(pixels: np.ndarray) -> np.ndarray:
    """Every value `pixels` can hold, ordered so that position i is the value whose bits are i."""
    unsigned = np.dtype(f"u{pixels.dtype.itemsize}")
    domain = np.arange(1 << (8 * pixels.dtype.itemsize), dtype=unsigned)
    return domain.view(pixels.dtype)


def unsigned_view(pixels: np.ndarray) -> np.ndarray:
    """The pixels reinterpreted as unsigned, i.e. as positions in the stored-value domain."""
    return pixels.view(np.dtype(f"u{pixels.dtype.itemsize}"))


def apply_window(values: np.ndarray, window: Window) -> np.ndarray:
    """Map modality values to [0, 1] with the PS3.3 C.11.2.1.2 window function."""
    values = np.asarray(values, dtype=np.float64)
    c, w = window.center, window.width
    if window.function == "SIGMOID":
        # 1 / (1 + exp(-4 (x - c) / w)) written with tanh, which cannot overflow
        return 0.5 * (1.0 + np.tanh(2.0 * (values - c) / w))
    if window.function == "LINEAR_EXACT":
        scaled = (values - c) / w + 0.5
    else:  # LINEAR: the standard's half-pixel offsets
        scaled = (values - (c - 0.5)) / (w - 1.0) + 0.5 if w > 1.0 else (values > c - 0.5) * 1.0
    return np.clip(scaled, 0.0, 1.0)


def file_window(dataset: Dataset) -> Window | None:
    """The first WindowCenter/WindowWidth pair with its VOILUTFunction, if present and usable."""
    center, width = dataset.get("WindowCenter"), dataset.get("WindowWidth")
    if center is None or width is None or center == "" or width == "":
        return None
    function = str(dataset.get("VOILUTFunction", "") or "LINEAR").strip().upper()
    if function not in VOI_FUNCTIONS:
        function = "LINEAR"
    try:
        center = center[0] if _is_multi(center) else center
        width = width[0] if _is_multi(width) else width
        return Window(center=float(center), width=float(width), function=function)
    except (TypeError, ValueError, IndexError):
        return None  # a broken window is treated like no window: fall back to percentiles


def _is_multi(value) -> bool:
    return not isinstance(value, str | bytes | int | float) and hasattr(value, "__getitem__")


def percentile_window(pixels: np.ndarray, modality_values: np.ndarray) -> Window:
    """LINEAR_EXACT window spanning the 1st..99th percentile of the image's modality values."""
    sample = unsigned_view(pixels[::2, ::2]).ravel()
    counts = np.bincount(sample, minlength=modality_values.size).astype(np.float64)
    order = np.argsort(modality_values, kind="stable")
    cumulative = np.cumsum(counts[order])
    total = cumulative[-1]
    low, high = (
        modality_values[order[np.searchsorted(cumulative, total * p / 100.0, side="left")]]
        for p in PERCENTILES
    )
    width = max(float(high - low), 1.0)
    return Window(center=float(low + high) / 2.0, width=width, function="LINEAR_EXACT")


def voi_lut_sequence_values(dataset: Dataset, modality_values: np.ndarray) -> np.ndarray | None:
    """The first VOI LUT Sequence item applied to `modality_values`, scaled to [0, 1]."""
    sequence = dataset.get("VOILUTSequence")
    if not sequence:
        return None
    item = sequence[0]
    descriptor = item.get("LUTDescriptor")
    if descriptor is None or "LUTData" not in item or len(descriptor) != 3:
        return None
    # The LUT's input is the integer output of the modality LUT.
    integer_input = np.rint(modality_values).astype(np.int64)
    try:
        output = apply_voi(integer_input, dataset, index=0).astype(np.float64)
    except (NotImplementedError, ValueError, TypeError, IndexError, AttributeError):
        return None  # an unusable VOI LUT is treated like none: the window or percentiles apply
    full_scale = float((1 << int(descriptor[2])) - 1)
    # Some writers declare 16 bits per entry and fill only 12; others overfill. Scale by what
    # the table can reach so that its top entry is white either way.
    top = float(output.max()) if output.size else 0.0
    if top > full_scale:
        full_scale = float((1 << int(np.ceil(np.log2(top + 1.0)))) - 1)
    return output / full_scale if full_scale > 0 else None


def to_grey_levels(unit_values: np.ndarray, *, photometric: str) -> np.ndarray:
    """[0, 1] display values to 8-bit grey, inverting once for MONOCHROME1 (0 = white)."""
    if photometric == "MONOCHROME1":
        unit_values = 1.0 - unit_values
    return np.rint(unit_values * 255.0).astype(np.uint8)


def plan_rendering(dataset: Dataset, pixels: np.ndarray) -> RenderPlan:
    """Build the default and preset lookup tables for this image."""
    domain = stored_value_domain(pixels)
    modality_values = np.asarray(apply_modality_lut(domain, dataset), dtype=np.float64)
    photometric = str(dataset.PhotometricInterpretation).strip().upper()

    window = file_window(dataset)
    base_window = window if window is not None else percentile_window(pixels, modality_values)
    voi_values = voi_lut_sequence_values(dataset, modality_values)
    if voi_values is not None:
        source, default_window, default_values = "voi_lut_sequence", None, voi_values
    elif window is not None:
        source, default_window = "window", window
        default_values = apply_window(modality_values, window)
    else:
        source, default_window = "percentile", base_window
        default_values = apply_window(modality_values, base_window)

    tables = [("default", to_grey_levels(default_values, photometric=photometric))]
    for name, factor in PRESET_WIDTH_FACTORS:
        preset = Window(
            center=base_window.center,
            width=max(base_window.width * factor, 1.0),
            function="LINEAR_EXACT" if base_window.function == "LINEAR_EXACT" else "LINEAR",
        )
        values = apply_window(modality_values, preset)
        tables.append((name, to_grey_levels(values, photometric=photometric)))
    return RenderPlan(
        window_source=source,
        default_window=default_window,
        base_window=base_window,
        lookup_tables=tuple(tables),
    )


def apply_lookup(pixels: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Map stored values through an 8-bit table: one gather, no float image is ever built."""
    # Fancy indexing, not np.take: take converts the uint16 index to intp first (4x slower).
    return table[unsigned_view(pixels)]


def render_display(dataset: Dataset, *, window: Window | None = None) -> np.ndarray:
    """The 8-bit greyscale rendering of a single-frame greyscale dataset.

    With `window=None` the default rendering (see the module docstring); otherwise the given
    window in modality units. MONOCHROME1 is inverted so that 255 is always white.
    """
    pixels = dataset.pixel_array
    if window is None:
        plan = plan_rendering(dataset, pixels)
        return apply_lookup(pixels, plan.lookup_tables[0][1])
    domain = stored_value_domain(pixels)
    modality_values = np.asarray(apply_modality_lut(domain, dataset), dtype=np.float64)
    photometric = str(dataset.PhotometricInterpretation).strip().upper()
    table = to_grey_levels(apply_window(modality_values, window), photometric=photometric)
    return apply_lookup(pixels, table)
