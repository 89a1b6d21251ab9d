"""Polarity, windows and lookup tables follow the DICOM standard (PS3.3 C.11) on synthetic
radiographs."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydicom.data import get_testdata_file

from study.core.imaging import (
    Window,
    dicom_process,
    render_display,
)
from study.core.imaging.rendering import (
    apply_window,
    percentile_window,
    stored_value_domain,
    to_grey_levels,
)
from tests.study.core.imaging.radiographs import SECRET, grey, processed_real
from tests.study.dicom_factory import dataset_bytes, synthetic_chest_dicom

# --- synthetic polarity and windows ---


@pytest.mark.parametrize("bits_stored", [8, 12, 16])
def test_synthetic_monochrome1_and_monochrome2_render_identically_with_mirrored_window(bits_stored):
    maximum = (1 << bits_stored) - 1
    center, width = maximum * 0.55, maximum * 0.7
    monochrome2 = synthetic_chest_dicom(bits_stored=bits_stored, window=(center, width))
    monochrome1 = synthetic_chest_dicom(
        bits_stored=bits_stored, photometric="MONOCHROME1", window=(maximum - center + 1, width)
    )
    first = dicom_process(monochrome2, filename="m2.dcm", uid_secret=SECRET)
    second = dicom_process(monochrome1, filename="m1.dcm", uid_secret=SECRET)
    assert second.display_png == first.display_png


def test_synthetic_monochrome1_without_window_renders_within_one_grey_level():
    # percentiles of an inverted histogram are not exactly mirrored (discrete ranks): <= 1 level
    first = dicom_process(synthetic_chest_dicom(), filename="m2.dcm", uid_secret=SECRET)
    second = dicom_process(
        synthetic_chest_dicom(photometric="MONOCHROME1"), filename="m1.dcm", uid_secret=SECRET
    )
    assert first.window_source == second.window_source == "percentile"
    difference = np.abs(grey(first.display_png).astype(int) - grey(second.display_png))
    assert difference.max() <= 1


def test_synthetic_chest_has_dark_lungs_and_bright_mediastinum():
    image = grey(
        dicom_process(synthetic_chest_dicom(), filename="s.dcm", uid_secret=SECRET).display_png
    )
    height, width = image.shape
    lung = image[int(0.3 * height) : int(0.5 * height), int(0.25 * width) : int(0.37 * width)]
    mediastinum = image[
        int(0.3 * height) : int(0.6 * height), int(0.47 * width) : int(0.53 * width)
    ]
    assert lung.mean() < mediastinum.mean() - 60


def test_multi_valued_window_uses_the_first_pair():
    data = synthetic_chest_dicom(window=([2000.0, 100.0], [3000.0, 50.0]))
    processed = dicom_process(data, filename="w.dcm", uid_secret=SECRET)
    assert processed.default_window == Window(center=2000.0, width=3000.0, function="LINEAR")


@pytest.mark.parametrize("function", ["LINEAR_EXACT", "SIGMOID"])
def test_voi_lut_function_is_honoured(function):
    data = synthetic_chest_dicom(window=(2000.0, 3000.0), voi_lut_function=function)
    processed = dicom_process(data, filename="w.dcm", uid_secret=SECRET)
    assert processed.default_window == Window(center=2000.0, width=3000.0, function=function)


def test_rescale_slope_and_intercept_shift_the_window_domain():
    # given the same stored values, once with rescale (2x - 1000) and the window moved to match
    plain = synthetic_chest_dicom(window=(2000.0, 3000.0))
    rescaled = synthetic_chest_dicom(window=(3000.0, 6001.0), rescale=(2.0, -1000.0))
    # then LINEAR maps x to (x - (c - 0.5)) / (w - 1) + 0.5 and both give the same picture
    first = dicom_process(plain, filename="p.dcm", uid_secret=SECRET)
    second = dicom_process(rescaled, filename="r.dcm", uid_secret=SECRET)
    difference = np.abs(grey(first.display_png).astype(int) - grey(second.display_png))
    assert difference.max() <= 1


def test_voi_lut_sequence_is_applied_and_scaled_by_its_entry_bits():
    # given vlut_04.dcm: 8-bit stored values through a 256-entry, 16-bits-per-entry VOI LUT
    dataset = pydicom.dcmread(get_testdata_file("vlut_04.dcm"))
    lut = np.asarray(dataset.VOILUTSequence[0].LUTData, dtype=np.float64)
    expected = np.rint(lut[dataset.pixel_array] / 65535.0 * 255.0).astype(np.uint8)
    # when processed, then the default rendering is the LUT scaled to 8 bits
    processed = processed_real("vlut_04.dcm", "OT")
    assert processed.window_source == "voi_lut_sequence"
    assert processed.default_window is None
    assert np.array_equal(grey(processed.display_png), expected)


def test_voi_lut_sequence_is_preferred_over_a_window():
    dataset = pydicom.dcmread(get_testdata_file("vlut_04.dcm"))
    dataset.WindowCenter, dataset.WindowWidth = 100.0, 50.0
    processed = dicom_process(
        dataset_bytes(dataset), filename="v.dcm", uid_secret=SECRET, allowed_modalities=("OT",)
    )
    assert processed.window_source == "voi_lut_sequence"
    assert processed.display_png == processed_real("vlut_04.dcm", "OT").display_png


def test_unusable_voi_lut_sequence_falls_back_to_the_window():
    dataset = pydicom.dcmread(get_testdata_file("vlut_04.dcm"))
    dataset.VOILUTSequence[0].LUTDescriptor = [256, 0, 9]  # 9 bits per entry is not allowed
    dataset.WindowCenter, dataset.WindowWidth = 100.0, 50.0
    processed = dicom_process(
        dataset_bytes(dataset), filename="v.dcm", uid_secret=SECRET, allowed_modalities=("OT",)
    )
    assert processed.window_source == "window"


def test_modality_lut_sequence_is_applied():
    # mlut_18.dcm maps stored values through a Modality LUT Sequence (PS3.3 C.11.1)
    dataset = pydicom.dcmread(get_testdata_file("mlut_18.dcm"))
    from pydicom.pixels.processing import apply_modality_lut

    expected_values = apply_modality_lut(dataset.pixel_array, dataset)
    window = Window(center=float(np.median(expected_values)), width=1000.0)
    expected = np.rint(apply_window(expected_values, window) * 255).astype(np.uint8)
    assert np.array_equal(render_display(dataset, window=window), expected)


@pytest.mark.parametrize(
    ("function", "center", "width", "values", "expected"),
    [
        # PS3.3 C.11.2.1.2.1: x <= c - 0.5 - (w-1)/2 -> 0; x > c - 0.5 + (w-1)/2 -> 1
        (
            "LINEAR",
            100.0,
            11.0,
            [94.5, 95.0, 99.5, 104.0, 104.5, 105.0],
            [0, 0.05, 0.5, 0.95, 1, 1],
        ),
        ("LINEAR", 100.0, 1.0, [99.0, 99.5, 99.6, 101.0], [0, 0, 1, 1]),
        # C.11.2.1.3.2: (x - c) / w + 0.5
        ("LINEAR_EXACT", 100.0, 10.0, [94.0, 95.0, 100.0, 105.0, 106.0], [0, 0, 0.5, 1, 1]),
        # C.11.2.1.3.1: 1 / (1 + exp(-4 (x - c) / w))
        ("SIGMOID", 100.0, 10.0, [100.0, 105.0], [0.5, 1 / (1 + np.exp(-2.0))]),
    ],
)
def test_window_functions_follow_the_standard(function, center, width, values, expected):
    result = apply_window(np.array(values), Window(center=center, width=width, function=function))
    np.testing.assert_allclose(result, expected, atol=1e-12)


@pytest.mark.parametrize(
    ("function", "width", "message"),
    [
        ("LINEAR", 0.5, "window width 0.5 is too small for LINEAR"),
        ("SIGMOID", 0.0, "window width 0.0 is too small for SIGMOID"),
        ("GAMMA", 10.0, "VOI function 'GAMMA' is not one of ('LINEAR', 'LINEAR_EXACT', 'SIGMOID')"),
    ],
)
def test_invalid_windows_are_refused(function, width, message):
    with pytest.raises(ValueError) as caught:
        Window(center=0.0, width=width, function=function)
    assert str(caught.value) == message


def test_unusable_file_window_falls_back_to_percentiles():
    data = synthetic_chest_dicom(window=(2000.0, 0.0))
    assert dicom_process(data, filename="w.dcm", uid_secret=SECRET).window_source == "percentile"


def test_percentile_window_spans_first_to_ninety_ninth_percentile():
    # given 0..9999 (each once, on a 200 x 50 grid read at every second pixel: 0..9999 step 2-ish)
    pixels = np.arange(10000, dtype=np.uint16).reshape(100, 100)
    modality = stored_value_domain(pixels).astype(np.float64)
    window = percentile_window(pixels, modality)
    sample = np.sort(pixels[::2, ::2].ravel())  # 2500 values
    low, high = sample[24], sample[2474]  # the 1st and 99th percentile ranks (searchsorted left)
    assert window == Window(
        center=(float(low) + float(high)) / 2, width=float(high - low), function="LINEAR_EXACT"
    )


def test_signed_pixels_render():
    data = synthetic_chest_dicom(signed=True, bits_stored=12, window=(0.0, 4000.0))
    processed = dicom_process(data, filename="s.dcm", uid_secret=SECRET)
    unsigned = dicom_process(
        synthetic_chest_dicom(bits_stored=12, window=(2048.0, 4000.0)),
        filename="u.dcm",
        uid_secret=SECRET,
    )
    assert processed.display_png == unsigned.display_png


# --- invariants of the lookup chain ---


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    center=st.floats(-5000, 70000),
    width=st.floats(1, 70000),
    function=st.sampled_from(["LINEAR", "LINEAR_EXACT", "SIGMOID"]),
)
def test_grey_levels_rise_with_value_for_monochrome2_and_fall_for_monochrome1(
    center, width, function
):
    values = np.arange(0, 65536, 7, dtype=np.float64)
    unit = apply_window(values, Window(center=center, width=width, function=function))
    rising = to_grey_levels(unit, photometric="MONOCHROME2")
    falling = to_grey_levels(unit, photometric="MONOCHROME1")
    assert np.all(np.diff(rising.astype(int)) >= 0)
    assert np.all(np.diff(falling.astype(int)) <= 0)
    # the two polarities are mirror images, up to a rounding tie at exactly half a level
    assert np.abs(rising.astype(int) + falling - 255).max() <= 1
