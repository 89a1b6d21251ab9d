"""Real radiographs decode and render alike whatever their transfer syntax or polarity (pydicom-data
RG1: CR, MONOCHROME1, 1841 x 1955, 15 bits, and pydicom's test files)."""

from __future__ import annotations

import io

import numpy as np
import pydicom
import pytest
from PIL import Image
from pydicom import uid
from pydicom.data import get_testdata_file
from pydicom.encaps import encapsulate

from study.core.imaging import (
    Window,
    dicom_process,
    render_display,
)
from tests.study.core.imaging.radiographs import SECRET, grey, processed_real, rg1_as_monochrome2
from tests.study.dicom_factory import dataset_bytes, synthetic_chest_dicom

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
