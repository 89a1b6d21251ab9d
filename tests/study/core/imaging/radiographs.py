"""Real (pydicom-data) and synthetic radiographs for the imaging tests, processed once."""

from __future__ import annotations

import io
from functools import cache

import numpy as np
import pydicom
from PIL import Image
from pydicom.data import get_testdata_file

from study.core.imaging import (
    ProcessedImage,
    dicom_process,
)
from tests.study.dicom_factory import dataset_bytes

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
