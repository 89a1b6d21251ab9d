"""The viewer's packed 16-bit source: its PNG decodes (with Pillow) back to the image's modality
values within one quantisation step, it carries pixels only, and its default window reproduces
the server's own display rendering."""

from __future__ import annotations

import io
import struct

import numpy as np
import pydicom
import pytest
from PIL import Image

from study.core.imaging import DicomError, dicom_process
from study.core.imaging.source import source_from_dicom
from tests.study.core.imaging.radiographs import SECRET, grey, processed_real, real_file
from tests.study.dicom_factory import synthetic_chest_dicom


def _packed(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    assert image.mode == "RGB"
    rgb = np.asarray(image).astype(np.int64)
    assert not rgb[..., 2].any(), "blue must stay 0"
    return rgb[..., 0] * 256 + rgb[..., 1]


def _modality_values(data: bytes) -> np.ndarray:
    """The reference: the stored values through rescale slope and intercept, by hand."""
    dataset = pydicom.dcmread(io.BytesIO(data))
    slope = float(dataset.get("RescaleSlope", 1) or 1)
    intercept = float(dataset.get("RescaleIntercept", 0) or 0)
    return dataset.pixel_array.astype(np.float64) * slope + intercept


def _chunks(png: bytes) -> list[bytes]:
    chunks, offset = [], 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        chunks.append(png[offset + 4 : offset + 8])
        offset += 12 + length
    return chunks


def _window_grey(values: np.ndarray, *, center: float, width: float, invert: bool) -> np.ndarray:
    """PS3.3 C.11.2.1.2 LINEAR written out here, then MONOCHROME1 inverted and rounded."""
    unit = np.clip((values - (center - 0.5)) / (width - 1.0) + 0.5, 0.0, 1.0)
    return np.rint((1.0 - unit if invert else unit) * 255.0).astype(np.uint8)


def test_given_the_real_rg1_radiograph_when_processed_then_the_source_holds_its_values_exactly():
    processed = processed_real("RG1_UNCR.dcm")
    window = processed.source_window
    packed = _packed(processed.source_png)
    values = _modality_values(real_file("RG1_UNCR.dcm"))

    assert packed.shape == grey(processed.display_png).shape == (1955, 1841)
    assert (window["min"], window["max"], window["scale"]) == (874.0, 26479.0, 1.0)
    assert np.array_equal(window["min"] + packed * window["scale"], values)
    assert _chunks(processed.source_png) == [b"IHDR", b"IDAT", b"IEND"]
    # RG1 is MONOCHROME1 with a file window of 15000/30000 (LINEAR)
    assert dict(window, presets=None) == {
        "version": 1,
        "min": 874.0,
        "max": 26479.0,
        "scale": 1.0,
        "center": 15000.0,
        "width": 30000.0,
        "function": "LINEAR",
        "invert": True,
        "presets": None,
    }
    assert window["presets"] == {
        "default": {"center": 15000.0, "width": 30000.0, "function": "LINEAR"},
        "soft": {"center": 15000.0, "width": 45000.0, "function": "LINEAR"},
        "bone": {"center": 15000.0, "width": 20000.0, "function": "LINEAR"},
    }


def test_given_the_source_and_its_default_window_when_windowed_then_it_is_the_display_image():
    processed = processed_real("RG1_UNCR.dcm")
    window = processed.source_window
    values = window["min"] + _packed(processed.source_png) * window["scale"]

    for name, png in processed.presets:
        preset = window["presets"][name]
        rendered = _window_grey(
            values, center=preset["center"], width=preset["width"], invert=window["invert"]
        )
        assert np.array_equal(rendered, grey(png)), name


@pytest.mark.parametrize(
    ("options", "exact"),
    [
        ({"bits_stored": 12}, True),
        ({"bits_stored": 16}, True),
        ({"bits_stored": 12, "photometric": "MONOCHROME1"}, True),
        ({"bits_stored": 12, "signed": True, "rescale": (1.0, -1024.0)}, True),
        ({"bits_stored": 12, "rescale": (0.5, -1024.0)}, False),  # half units: not integers
        ({"bits_stored": 16, "rescale": (3.0, -20000.0)}, False),  # 196605 levels: scaled
    ],
)
def test_given_a_synthetic_radiograph_when_processed_then_its_values_come_back_within_one_step(
    options, exact
):
    data = synthetic_chest_dicom(rows=96, columns=80, seed=3, **options)
    processed = dicom_process(data, filename="s.dcm", uid_secret=SECRET)
    window = processed.source_window
    values = _modality_values(data)
    recovered = window["min"] + _packed(processed.source_png) * window["scale"]

    assert (window["min"], window["max"]) == (values.min(), values.max())
    assert window["invert"] is (options.get("photometric") == "MONOCHROME1")
    if exact:
        assert window["scale"] == 1.0
        assert np.array_equal(recovered, values)
    else:
        assert window["scale"] == pytest.approx((values.max() - values.min()) / 65535)
        assert np.abs(recovered - values).max() <= window["scale"] / 2 + 1e-9


def test_given_a_flat_image_when_processed_then_the_source_is_all_zero_at_scale_one():
    flat = np.full((40, 30), 700, dtype=np.int32)
    processed = dicom_process(
        synthetic_chest_dicom(pixels=flat, window=(700, 100)), filename="f.dcm", uid_secret=SECRET
    )
    assert (processed.source_window["min"], processed.source_window["scale"]) == (700.0, 1.0)
    assert not _packed(processed.source_png).any()


def test_given_the_stored_deidentified_dicom_when_rendered_again_then_the_source_is_the_same():
    processed = processed_real("RG1_UNCR.dcm")
    again = source_from_dicom(processed.deidentified_dicom, filename="cases/dicom/x.dcm")
    assert again.png == processed.source_png
    assert again.window == processed.source_window


def test_given_a_damaged_stored_file_when_rendered_then_it_is_one_dicom_error():
    damaged = processed_real("RG1_UNCR.dcm").deidentified_dicom[:2000]
    with pytest.raises(DicomError) as caught:
        source_from_dicom(damaged, filename="cases/dicom/x.dcm")
    assert caught.value.code in ("truncated", "undecodable")
