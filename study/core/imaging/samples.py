"""Sample radiographs for the demo and the tests: RG1 from pydicom-data (a real PA chest
radiograph) and versions derived from it in code (mirrored, cropped, shifted, re-contrasted).

Pure; nothing is downloaded: pydicom-data ships the file."""

import io

import numpy as np
import pydicom

RG1_VARIANTS = (
    "original",
    "mirrored",
    "cropped",
    "mirrored_cropped",
    "shifted",
    "contrast_low",
    "contrast_high",
    "gamma",
)


def rg1_path() -> str:
    from pydicom.data import get_testdata_file

    path = get_testdata_file("RG1_UNCR.dcm")
    if path is None:
        raise RuntimeError("pydicom-data is not installed: pip install pydicom-data")
    return path


def rg1_variant(variant: str) -> bytes:
    """RG1 (a real PA chest radiograph) or a version derived from it, as DICOM bytes."""
    if variant not in RG1_VARIANTS:
        raise ValueError(f"unknown RG1 variant {variant!r}: one of {', '.join(RG1_VARIANTS)}")
    dataset = pydicom.dcmread(rg1_path())
    pixels = dataset.pixel_array.astype(np.int32)
    maximum = (1 << int(dataset.BitsStored)) - 1
    if variant in ("mirrored", "mirrored_cropped"):
        pixels = pixels[:, ::-1]
    if variant in ("cropped", "mirrored_cropped"):
        rows, cols = pixels.shape
        pixels = pixels[rows // 20 : rows - rows // 20, cols // 16 : cols - cols // 16]
    if variant == "shifted":
        pixels = np.roll(pixels, shift=(40, -60), axis=(0, 1))
    if variant in ("contrast_low", "contrast_high", "gamma"):
        mean = pixels.mean()
        if variant == "contrast_low":
            pixels = (pixels - mean) * 0.8 + mean
        elif variant == "contrast_high":
            pixels = (pixels - mean) * 1.2 + mean
        else:
            pixels = maximum * (np.clip(pixels, 0, maximum) / maximum) ** 0.9
    pixels = np.clip(np.rint(pixels), 0, maximum).astype(np.uint16)
    dataset.Rows, dataset.Columns = pixels.shape
    dataset.PixelData = np.ascontiguousarray(pixels).tobytes()
    dataset.SeriesDescription = f"TrustLab demo from pydicom-data RG1 ({variant})"  # LO: <= 64
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()
