"""The rendered outputs: documented sizes, names and hashes, presets, no metadata, nothing on
disk."""

from __future__ import annotations

import hashlib
import io
import struct

import numpy as np
import pydicom
import pytest
from PIL import Image
from pydicom import uid
from pydicom.data import get_testdata_file

from study.core.imaging import (
    PREVIEW_HEIGHT,
    THUMBNAIL_SIZE,
    dicom_process,
    render_display,
)
from study.core.imaging.encoding import png_bytes
from tests.study.core.imaging.radiographs import SECRET, grey, processed_real
from tests.study.dicom_factory import synthetic_chest_dicom

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
        "source_png": processed.source_png,
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
