"""Synthetic chest-radiograph DICOM files made in code, for tests, the benchmark and demo seeds.

The rule: every file is a pure function of the arguments (same arguments, same bytes), and the
PHI fields are filled with recognisable fake values so that de-identification tests have
something to strip. Nothing here is real patient data.
"""

from __future__ import annotations

from io import BytesIO

import numpy as np
import pydicom
from PIL import Image
from pydicom import uid
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence

# Fake identifying values planted by synthetic_chest_dicom(with_phi=True); tests look for them.
FAKE_PHI: dict[str, str] = {
    "PatientName": "Doe^Jane^Q",
    "PatientID": "MRN-0012345",
    "PatientBirthDate": "19580412",
    "PatientBirthTime": "071500",
    "PatientSex": "F",
    "PatientAge": "066Y",
    "PatientAddress": "12 Example Street, Springfield",
    "PatientTelephoneNumbers": "+1-555-0100",
    "OtherPatientIDs": "OLD-998",
    "PatientComments": "Allergic to penicillin",
    "EthnicGroup": "Example",
    "StudyDate": "20240302",
    "SeriesDate": "20240302",
    "AcquisitionDate": "20240302",
    "ContentDate": "20240302",
    "InstanceCreationDate": "20240302",
    "StudyTime": "101112",
    "SeriesTime": "101113",
    "AcquisitionTime": "101114",
    "ContentTime": "101115",
    "AccessionNumber": "ACC998877",
    "StudyID": "ST-4455",
    "StudyDescription": "CHEST PA Doe",
    "SeriesDescription": "PA upright Doe",
    "InstitutionName": "St. Example Hospital",
    "InstitutionAddress": "1 Hospital Road, Springfield",
    "InstitutionalDepartmentName": "Radiology West",
    "ReferringPhysicianName": "Smith^John",
    "PerformingPhysicianName": "Roe^Richard",
    "OperatorsName": "Tech^Terry",
    "StationName": "XR-ROOM-3",
    "DeviceSerialNumber": "SN-4471-XR",
    "PlateID": "PLATE-77",
    "ProtocolName": "Chest PA Doe",
    "ImageComments": "Jane Doe, bed 4",
    "RequestingPhysician": "Who^Dr",
}
PRIVATE_CREATOR = "ACME_XRAY"
PRIVATE_PHI = "Doe^Jane private copy"
PREAMBLE_PHI = b"Doe^Jane MRN-0012345"

SOP_CLASS = {
    "CR": uid.ComputedRadiographyImageStorage,
    "DX": uid.DigitalXRayImageStorageForPresentation,
}


def chest_pixels(
    *, rows: int, columns: int, bits_stored: int, seed: int, signed: bool = False
) -> np.ndarray:
    """A chest-like image in MONOCHROME2 sense (high = bright): dark lungs and background,
    bright mediastinum, spine, ribs and clavicles, with mild noise. int32, full stored range."""
    rng = np.random.default_rng(seed)
    # Draw on a coarse grid (cheap) and upsample; anatomy is smooth at that scale anyway.
    coarse_rows, coarse_columns = max(rows // 8, 16), max(columns // 8, 16)
    y, x = np.mgrid[0:coarse_rows, 0:coarse_columns].astype(np.float64)
    y /= coarse_rows
    x /= coarse_columns
    body = np.exp(-(((x - 0.5) / 0.42) ** 8) - ((y - 0.55) / 0.55) ** 8)
    lung_left = np.exp(-(((x - 0.31) / 0.13) ** 4) - ((y - 0.45) / 0.27) ** 4)
    lung_right = np.exp(-(((x - 0.69) / 0.13) ** 4) - ((y - 0.45) / 0.27) ** 4)
    lungs = np.clip(lung_left + lung_right, 0, 1)
    mediastinum = np.exp(-(((x - 0.5) / 0.09) ** 2) - ((y - 0.55) / 0.45) ** 6)
    spine = np.exp(-(((x - 0.5) / 0.035) ** 2))
    ribs = 0.5 + 0.5 * np.cos(2 * np.pi * (y * 11 + 3 * (x - 0.5) ** 2))
    clavicles = np.exp(-(((y - 0.17 - 0.25 * np.abs(x - 0.5)) / 0.015) ** 2)) * (
        np.abs(x - 0.5) < 0.3
    )
    diaphragm = 1 / (1 + np.exp(-(y - 0.74) * 40))
    density = (
        0.08
        + 0.55 * body
        - 0.35 * lungs * (1 - diaphragm)
        + 0.25 * mediastinum
        + 0.15 * spine * body
        + 0.10 * ribs * lungs
        + 0.15 * clavicles
        + 0.1 * diaphragm * body
    )
    density += rng.normal(0, 0.01, density.shape)
    density = np.clip(density, 0.0, 1.0).astype(np.float32)
    fine = np.asarray(
        Image.fromarray(density, mode="F").resize((columns, rows), Image.Resampling.BILINEAR)
    )
    maximum = (1 << bits_stored) - 1
    stored = np.rint(fine * (0.9 * maximum) + 0.05 * maximum).astype(np.int32)
    stored += rng.integers(
        -maximum // 200 - 1, maximum // 200 + 2, size=stored.shape, dtype=np.int32
    )
    stored = np.clip(stored, 0, maximum)
    if signed:
        stored -= 1 << (bits_stored - 1)
    return stored


def synthetic_chest_dicom(
    *,
    rows: int = 512,
    columns: int = 420,
    bits_stored: int = 12,
    photometric: str = "MONOCHROME2",
    modality: str = "CR",
    burned_in: str | None = "NO",
    transfer_syntax: str = uid.ExplicitVRLittleEndian,
    seed: int = 0,
    with_phi: bool = True,
    window: tuple[float, float] | None = None,
    voi_lut_function: str | None = None,
    rescale: tuple[float, float] | None = None,
    signed: bool = False,
    pixels: np.ndarray | None = None,
    study_uid: str | None = None,
    extra: dict[str, object] | None = None,
) -> bytes:
    """One single-frame greyscale radiograph as DICOM Part 10 bytes.

    `photometric="MONOCHROME1"` stores inverted values, so both polarities *look* the same when
    rendered correctly. `pixels` (MONOCHROME2 sense) overrides the synthetic anatomy. `window` is
    (center, width) in modality units; `rescale` is (slope, intercept). `burned_in=None` leaves
    BurnedInAnnotation out. `transfer_syntax` may be any syntax pydicom can encode here (native,
    RLE Lossless, JPEG 2000). `extra` sets further attributes by keyword (applied last).
    """
    bits_allocated = 8 if bits_stored <= 8 else 16
    if pixels is None:
        pixels = chest_pixels(
            rows=rows, columns=columns, bits_stored=bits_stored, seed=seed, signed=signed
        )
    rows, columns = pixels.shape
    values = np.asarray(pixels, dtype=np.int64)
    if photometric == "MONOCHROME1":
        # Invert within the stored range: high stored value now means dark.
        low, high = (
            (-(1 << (bits_stored - 1)), (1 << (bits_stored - 1)) - 1)
            if signed
            else (
                0,
                (1 << bits_stored) - 1,
            )
        )
        values = low + high - values
    dtype = np.dtype(f"{'i' if signed else 'u'}{bits_allocated // 8}").newbyteorder("<")
    stored = values.astype(dtype)

    ds = Dataset()
    ds.SOPClassUID = SOP_CLASS.get(modality, uid.SecondaryCaptureImageStorage)
    entropy = [str(seed), str(rows), str(columns), modality, photometric]
    ds.SOPInstanceUID = uid.generate_uid(entropy_srcs=[*entropy, "sop"])
    ds.StudyInstanceUID = study_uid or uid.generate_uid(entropy_srcs=[*entropy, "study"])
    ds.SeriesInstanceUID = uid.generate_uid(entropy_srcs=[*entropy, "series"])
    ds.FrameOfReferenceUID = uid.generate_uid(entropy_srcs=[*entropy, "frame"])
    ds.Modality = modality
    ds.ImageType = ["ORIGINAL", "PRIMARY"]
    ds.BodyPartExamined = "CHEST"
    ds.ViewPosition = "PA"
    ds.PatientOrientation = ["L", "F"]
    ds.ImagerPixelSpacing = [0.139, 0.139]
    ds.Manufacturer = "Synthetic Imaging Co"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = photometric
    ds.Rows, ds.Columns = rows, columns
    ds.BitsAllocated = bits_allocated
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1
    ds.PixelRepresentation = 1 if signed else 0
    if burned_in is not None:
        ds.BurnedInAnnotation = burned_in
    if window is not None:
        ds.WindowCenter, ds.WindowWidth = window
        if voi_lut_function is not None:
            ds.VOILUTFunction = voi_lut_function
    if rescale is not None:
        ds.RescaleSlope, ds.RescaleIntercept = rescale
        ds.RescaleType = "US"
    if with_phi:
        for keyword, value in FAKE_PHI.items():
            setattr(ds, keyword, value)
        ds.ReferencedPatientSequence = Sequence([_referenced_patient(seed)])
        block = ds.private_block(0x0009, PRIVATE_CREATOR, create=True)
        block.add_new(0x01, "LO", PRIVATE_PHI)
        ds.add_new(0x60000010, "US", rows)  # an overlay plane, which could carry burned text
        ds.add_new(0x60000011, "US", columns)
        ds.add_new(0x60003000, "OW", b"\x00" * ((rows * columns + 15) // 16 * 2))
    for keyword, value in (extra or {}).items():
        setattr(ds, keyword, value)
    ds.PixelData = stored.tobytes()

    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = uid.ExplicitVRLittleEndian
    ds.file_meta.SourceApplicationEntityTitle = "EXAMPLE_PACS"
    if with_phi:
        ds.preamble = PREAMBLE_PHI.ljust(128, b"\x00")
    transfer_syntax = uid.UID(transfer_syntax)
    if transfer_syntax.is_compressed:
        ds.compress(transfer_syntax)
    elif transfer_syntax != uid.ExplicitVRLittleEndian:
        ds.file_meta.TransferSyntaxUID = transfer_syntax
    return dataset_bytes(ds)


def _referenced_patient(seed: int) -> Dataset:
    item = Dataset()
    item.ReferencedSOPClassUID = "1.2.840.10008.3.1.2.1.1"
    item.ReferencedSOPInstanceUID = uid.generate_uid(entropy_srcs=[str(seed), "patient"])
    return item


def dataset_bytes(dataset: Dataset) -> bytes:
    """A dataset written as Part 10 bytes in the transfer syntax its file meta names."""
    buffer = BytesIO()
    pydicom.dcmwrite(buffer, dataset, enforce_file_format=True)
    return buffer.getvalue()


def modified(data: bytes, **changes: object) -> bytes:
    """`data` re-written with attributes set by keyword; None deletes the attribute."""
    dataset = pydicom.dcmread(BytesIO(data))
    for keyword, value in changes.items():
        if value is None:
            if keyword in dataset:
                delattr(dataset, keyword)
        else:
            setattr(dataset, keyword, value)
    return dataset_bytes(dataset)
