"""Rendering of real and synthetic radiographs: decoders agree, polarity is right, outputs sane."""

from __future__ import annotations

import hashlib
import io
import struct
from functools import cache

import numpy as np
import pydicom
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pydicom import uid
from pydicom.data import get_testdata_file
from pydicom.encaps import encapsulate

from study.core.imaging import (
    PREVIEW_HEIGHT,
    THUMBNAIL_SIZE,
    ProcessedImage,
    Window,
    dicom_process,
    render_display,
)
from study.core.imaging.encoding import png_bytes
from study.core.imaging.rendering import (
    apply_window,
    percentile_window,
    stored_value_domain,
    to_grey_levels,
)
from tests.study.dicom_factory import dataset_bytes, synthetic_chest_dicom

SECRET = b"test-secret-test-secret-test-secret"


def real_file(name: str) -> bytes:
    with open(get_testdata_file(name), "rb") as handle:
        return handle.read()


@cache
def processed_real(name: str, modality: str = "CR") -> ProcessedImage:
    return dicom_process(
        real_file(name), filename=name, uid_secret=SECRET, allowed_modalities=(modality,)
    )


def grey(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    assert image.mode == "L"
    return np.asarray(image)


def rg1_as_monochrome2() -> bytes:
    """RG1 with stored values inverted and the window mirrored: the same picture, other polarity.

    For LINEAR (PS3.3 C.11.2.1.2) 1 - f_c(M - x) = f_(M - c + 1)(x), hence the +1.
    """
    dataset = pydicom.dcmread(get_testdata_file("RG1_UNCR.dcm"))
    maximum = (1 << int(dataset.BitsStored)) - 1
    inverted = maximum - dataset.pixel_array.astype(np.int32)
    dataset.PhotometricInterpretation = "MONOCHROME2"
    dataset.PixelData = inverted.astype("<u2").tobytes()
    dataset.WindowCenter = maximum - float(dataset.WindowCenter) + 1
    return dataset_bytes(dataset)


# --- real chest radiograph (pydicom-data RG1: CR, MONOCHROME1, 1841 x 1955, 15 bits) ---


def test_rg1_uncompressed_and_jpeg2000_lossless_render_identically():
    # given the same radiograph stored uncompressed and as lossless JPEG 2000
    uncompressed = processed_real("RG1_UNCR.dcm")
    jpeg2000 = processed_real("RG1_J2KR.dcm")
    # then every rendering is byte-identical
    assert jpeg2000.transfer_syntax_uid == uid.JPEG2000Lossless
    assert (uncompressed.width, uncompressed.height) == (1841, 1955)
    assert jpeg2000.display_png == uncompressed.display_png
    assert jpeg2000.presets == uncompressed.presets
    assert jpeg2000.preview_webp == uncompressed.preview_webp


def test_rg1_monochrome1_and_inverted_monochrome2_render_identically():
    # given RG1 (MONOCHROME1) and the same image with inverted stored values as MONOCHROME2
    monochrome1 = processed_real("RG1_UNCR.dcm")
    monochrome2 = dicom_process(rg1_as_monochrome2(), filename="rg1-m2.dcm", uid_secret=SECRET)
    # then they render to the same grey levels, presets included
    assert (monochrome1.photometric, monochrome2.photometric) == ("MONOCHROME1", "MONOCHROME2")
    assert monochrome2.display_png == monochrome1.display_png
    assert monochrome2.presets == monochrome1.presets


def test_rg1_lungs_are_dark_and_spine_bright():
    # given the rendered RG1 (a PA chest film: lungs either side of the spine)
    image = grey(processed_real("RG1_UNCR.dcm").display_png)
    height, width = image.shape

    def mean(top, bottom, left, right):
        return image[
            int(top * height) : int(bottom * height), int(left * width) : int(right * width)
        ].mean()

    right_lung = mean(0.25, 0.45, 0.20, 0.33)
    left_lung = mean(0.25, 0.45, 0.62, 0.75)
    spine = mean(0.20, 0.60, 0.46, 0.54)
    # then the lung fields are much darker than the mediastinum and spine (a double inversion of
    # MONOCHROME1 would make them brighter)
    assert right_lung < spine - 60
    assert left_lung < spine - 60


def test_rg1_uses_the_file_window_and_flags_review_for_absent_burned_in_annotation():
    processed = processed_real("RG1_UNCR.dcm")
    assert processed.window_source == "window"
    assert processed.default_window == Window(center=15000.0, width=30000.0, function="LINEAR")
    assert processed.needs_review is True  # RG1 has no BurnedInAnnotation


def test_rg1_lossy_jpeg2000_renders_close_to_the_original():
    # given the lossy JPEG 2000 version of RG1
    lossy = grey(processed_real("RG1_J2KI.dcm").display_png).astype(int)
    original = grey(processed_real("RG1_UNCR.dcm").display_png).astype(int)
    # then it differs only by compression noise
    assert np.abs(lossy - original).mean() < 1.0


# --- other decoders (pydicom test files; same picture in several transfer syntaxes) ---


@pytest.mark.parametrize(
    ("name", "transfer_syntax"),
    [
        ("MR_small_RLE.dcm", uid.RLELossless),
        ("MR_small_jp2klossless.dcm", uid.JPEG2000Lossless),
        ("MR_small_jpeg_ls_lossless.dcm", uid.JPEGLSLossless),
        ("MR_small_implicit.dcm", uid.ImplicitVRLittleEndian),
        ("MR_small_bigendian.dcm", uid.ExplicitVRBigEndian),
    ],
)
def test_same_image_in_other_transfer_syntaxes_renders_identically(name, transfer_syntax):
    reference = processed_real("MR_small.dcm", "MR")
    processed = processed_real(name, "MR")
    assert processed.transfer_syntax_uid == transfer_syntax
    assert processed.display_png == reference.display_png


@pytest.mark.parametrize(
    ("name", "modality", "transfer_syntax", "size"),
    [
        ("JPEG-LL.dcm", "NM", uid.JPEGLosslessSV1, (256, 1024)),
        ("JPGLosslessP14SV1_1s_1f_8b.dcm", "US", uid.JPEGLosslessSV1, (1024, 768)),
        ("JPGExtended.dcm", "NM", uid.JPEGExtended12Bit, (256, 1024)),
        ("MR2_J2KI.dcm", "MR", uid.JPEG2000, (1024, 1024)),
    ],
)
def test_compressed_real_files_decode(name, modality, transfer_syntax, size):
    processed = processed_real(name, modality)
    assert processed.transfer_syntax_uid == transfer_syntax
    assert grey(processed.display_png).shape == (size[1], size[0])


def test_jpeg_lossless_file_renders_its_decoded_pixels():
    # given JPEG-LL.dcm and its pixels decoded independently by pydicom, windowed the same way
    dataset = pydicom.dcmread(get_testdata_file("JPEG-LL.dcm"))
    processed = processed_real("JPEG-LL.dcm", "NM")
    expected = render_display(dataset, window=processed.default_window)
    assert np.array_equal(grey(processed.display_png), expected)


@pytest.mark.parametrize("transfer_syntax", [uid.RLELossless, uid.JPEG2000Lossless])
def test_synthetic_image_encoded_losslessly_renders_like_uncompressed(transfer_syntax):
    # given one synthetic CR, uncompressed and encoded by pydicom's encoders
    uncompressed = synthetic_chest_dicom(seed=3, bits_stored=14)
    encoded = synthetic_chest_dicom(seed=3, bits_stored=14, transfer_syntax=transfer_syntax)
    # then the renderings are byte-identical
    plain = dicom_process(uncompressed, filename="plain.dcm", uid_secret=SECRET)
    coded = dicom_process(encoded, filename="coded.dcm", uid_secret=SECRET)
    assert coded.transfer_syntax_uid == transfer_syntax
    assert coded.display_png == plain.display_png
    assert coded.presets == plain.presets


def test_greyscale_jpeg_baseline_decodes_and_is_marked_lossy():
    # given an 8-bit greyscale JPEG Baseline DICOM (Pillow encodes the frame)
    source = synthetic_chest_dicom(bits_stored=8, window=(128.0, 256.0), seed=5)
    dataset = pydicom.dcmread(io.BytesIO(source))
    frame = io.BytesIO()
    Image.fromarray(dataset.pixel_array, mode="L").save(frame, format="JPEG", quality=95)
    dataset.PixelData = encapsulate([frame.getvalue()])
    dataset["PixelData"].VR = "OB"
    dataset.file_meta.TransferSyntaxUID = uid.JPEGBaseline8Bit
    # when processed
    processed = dicom_process(dataset_bytes(dataset), filename="jpeg.dcm", uid_secret=SECRET)
    # then it renders close to the original and the stored copy still says it was lossy
    difference = np.abs(
        grey(processed.display_png).astype(int) - render_display(dataset, window=None).astype(int)
    )
    assert difference.mean() < 2.0
    stored = pydicom.dcmread(io.BytesIO(processed.deidentified_dicom))
    assert (stored.LossyImageCompression, stored.LossyImageCompressionMethod) == (
        "01",
        "ISO_10918_1",
    )


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


# --- outputs ---


def test_outputs_have_documented_sizes_names_and_hashes():
    processed = processed_real("RG1_UNCR.dcm")
    assert grey(processed.display_png).shape == (1955, 1841)
    preview = Image.open(io.BytesIO(processed.preview_webp))
    thumbnail = Image.open(io.BytesIO(processed.thumbnail_webp))
    assert (preview.format, preview.size) == ("WEBP", (964, PREVIEW_HEIGHT))
    assert processed.preview_size == preview.size
    assert (thumbnail.format, thumbnail.size) == ("WEBP", (241, THUMBNAIL_SIZE))
    assert processed.thumbnail_size == thumbnail.size
    assert [name for name, _ in processed.presets] == ["default", "soft", "bone"]
    assert processed.presets[0][1] == processed.display_png
    files = {
        "deidentified_dicom": processed.deidentified_dicom,
        "display_png": processed.display_png,
        "preview_webp": processed.preview_webp,
        "thumbnail_webp": processed.thumbnail_webp,
        **{f"preset:{name}": png for name, png in processed.presets},
    }
    assert dict(processed.sha256) == {
        key: hashlib.sha256(value).hexdigest() for key, value in files.items()
    }


def test_presets_are_wider_and_narrower_than_the_default():
    processed = processed_real("RG1_UNCR.dcm")
    spread = {name: grey(png).astype(float).std() for name, png in processed.presets}
    assert spread["soft"] < spread["default"] < spread["bone"]


def test_small_images_are_not_upscaled():
    processed = dicom_process(
        synthetic_chest_dicom(rows=300, columns=200), filename="s.dcm", uid_secret=SECRET
    )
    assert processed.preview_size == (200, 300)
    assert processed.thumbnail_size == (171, 256)


def test_processing_is_a_pure_function_of_the_input():
    data = synthetic_chest_dicom(seed=11)
    first = dicom_process(data, filename="a.dcm", uid_secret=SECRET)
    second = dicom_process(data, filename="a.dcm", uid_secret=SECRET)
    assert first == second


def test_rendered_png_carries_no_metadata_chunks():
    png = processed_real("RG1_UNCR.dcm").display_png
    chunks, offset = [], 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        chunks.append(png[offset + 4 : offset + 8])
        offset += 12 + length
    assert chunks == [b"IHDR", b"IDAT", b"IEND"]


@pytest.mark.parametrize("shape", [(1, 1), (3, 7), (64, 33)])
def test_png_encoder_round_trips(shape):
    pixels = np.random.default_rng(0).integers(0, 256, size=shape, dtype=np.uint8)
    assert np.array_equal(grey(png_bytes(pixels)), pixels)


def test_render_display_matches_the_display_png():
    dataset = pydicom.dcmread(get_testdata_file("RG1_UNCR.dcm"))
    assert np.array_equal(render_display(dataset), grey(processed_real("RG1_UNCR.dcm").display_png))


def test_the_upload_is_never_written_to_disk(monkeypatch):
    # given every way of opening a file disabled (plugins are imported by the warm-up call)
    data = synthetic_chest_dicom(transfer_syntax=uid.JPEG2000Lossless)
    dicom_process(data, filename="warm.dcm", uid_secret=SECRET)

    def refuse(*args, **kwargs):
        raise AssertionError(f"dicom_process opened a file: {args[:1]}")

    import builtins
    import os

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(io, "open", refuse)
    monkeypatch.setattr(os, "open", refuse)
    # when processing, then nothing is opened
    processed = dicom_process(data, filename="x.dcm", uid_secret=SECRET)
    assert processed.width == 420


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
