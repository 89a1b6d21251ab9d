"""De-identification: no PS3.15 Annex E attribute, private tag, overlay or planted PHI survives."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom import uid
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from pydicom.tag import Tag

from study.core.imaging import ADDED_KEYWORDS, KEPT_KEYWORDS, derive_uid, dicom_process
from tests.study.dicom_factory import (
    FAKE_PHI,
    PREAMBLE_PHI,
    PRIVATE_PHI,
    modified,
    synthetic_chest_dicom,
)

SECRET = b"test-secret-test-secret-test-secret"
ANNEX_E_TABLE = Path(__file__).with_name("ps3_15_annex_e_table.txt")
# Annex E attributes the rebuild itself writes, with new values (action U: replace the UID).
REPLACED_BY_REBUILD = {
    Tag("StudyInstanceUID"),
    Tag("SeriesInstanceUID"),
    Tag("SOPInstanceUID"),
    Tag("MediaStorageSOPInstanceUID"),
}


def annex_e_tags() -> dict[Tag, str]:
    tags = {}
    for line in ANNEX_E_TABLE.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        tag, action, keyword = line.split()
        group, element = tag.strip("()").split(",")
        tags[Tag(int(group, 16), int(element, 16))] = f"{keyword} ({action})"
    return tags


def all_elements(dataset: Dataset):
    """Every element at every nesting depth."""
    for element in dataset:
        yield element
        if element.VR == "SQ":
            for item in element.value:
                yield from all_elements(item)


def stored(processed) -> Dataset:
    return pydicom.dcmread(io.BytesIO(processed.deidentified_dicom))


@pytest.fixture(scope="module")
def phi_upload() -> bytes:
    return synthetic_chest_dicom(with_phi=True, seed=21)


@pytest.fixture(scope="module")
def phi_processed(phi_upload):
    return dicom_process(phi_upload, filename="phi.dcm", uid_secret=SECRET)


def test_annex_e_table_is_complete_enough_to_mean_something():
    tags = annex_e_tags()
    assert len(tags) == 617
    for keyword in ("PatientName", "PatientID", "PatientBirthDate", "InstitutionName"):
        assert Tag(keyword) in tags
    for keyword in ("DeviceSerialNumber", "StudyDate", "AccessionNumber", "OperatorsName"):
        assert Tag(keyword) in tags


def test_the_planted_upload_really_holds_annex_e_attributes(phi_upload):
    # guards the next test against passing vacuously
    source = pydicom.dcmread(io.BytesIO(phi_upload))
    present = {element.tag for element in all_elements(source)} & set(annex_e_tags())
    assert len(present) >= 30


@pytest.mark.parametrize(
    "upload",
    [
        pytest.param(lambda: synthetic_chest_dicom(with_phi=True, seed=21), id="synthetic"),
        pytest.param(
            lambda: Path(get_testdata_file("RG1_UNCR.dcm")).read_bytes(), id="pydicom-data-RG1"
        ),
    ],
)
def test_no_annex_e_attribute_survives_except_replaced_uids(upload):
    processed = dicom_process(upload(), filename="phi.dcm", uid_secret=SECRET)
    output = stored(processed)
    tags = annex_e_tags()
    elements = [*all_elements(output.file_meta), *all_elements(output)]
    leaked = [tags[e.tag] for e in elements if e.tag in tags and e.tag not in REPLACED_BY_REBUILD]
    assert leaked == []


def test_no_private_overlay_or_curve_group_survives(phi_processed):
    output = stored(phi_processed)
    for element in all_elements(output):
        assert not element.tag.is_private, element
        assert not 0x5000 <= element.tag.group <= 0x50FF, element
        assert not 0x6000 <= element.tag.group <= 0x60FF, element


def test_output_holds_only_allow_listed_attributes(phi_processed):
    keywords = {element.keyword for element in stored(phi_processed)}
    assert keywords <= set(KEPT_KEYWORDS) | set(ADDED_KEYWORDS) | {
        "ModalityLUTSequence",
        "VOILUTSequence",
    }


@pytest.mark.parametrize(
    "field", ["deidentified_dicom", "display_png", "preview_webp", "thumbnail_webp"]
)
def test_no_planted_identifying_value_appears_in_any_stored_byte(phi_upload, phi_processed, field):
    data = getattr(phi_processed, field)
    planted = [value.encode() for value in FAKE_PHI.values() if len(value) >= 4]
    planted += [PRIVATE_PHI.encode(), PREAMBLE_PHI, b"EXAMPLE_PACS", b"Doe"]
    source = pydicom.dcmread(io.BytesIO(phi_upload))
    planted += [source.StudyInstanceUID.encode(), source.SOPInstanceUID.encode()]
    assert [value for value in planted if value in data] == []


def test_preamble_and_file_meta_are_rebuilt(phi_processed):
    data = phi_processed.deidentified_dicom
    assert data[:128] == b"\x00" * 128
    assert data[128:132] == b"DICM"
    output = stored(phi_processed)
    assert output.file_meta.TransferSyntaxUID == uid.ExplicitVRLittleEndian
    assert output.file_meta.MediaStorageSOPInstanceUID == output.SOPInstanceUID
    assert output.file_meta.MediaStorageSOPClassUID == uid.ComputedRadiographyImageStorage
    assert "SourceApplicationEntityTitle" not in output.file_meta


def test_deidentification_is_declared(phi_processed):
    output = stored(phi_processed)
    assert output.PatientIdentityRemoved == "YES"
    assert output.DeidentificationMethod == "TrustLab allow-list rebuild; new UIDs; no dates"
    (code,) = output.DeidentificationMethodCodeSequence
    assert (code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning) == (
        "113100",
        "DCM",
        "Basic Application Confidentiality Profile",
    )


def test_display_attributes_are_kept(phi_upload, phi_processed):
    source, output = pydicom.dcmread(io.BytesIO(phi_upload)), stored(phi_processed)
    for keyword in (
        "SOPClassUID",
        "Modality",
        "PhotometricInterpretation",
        "Rows",
        "Columns",
        "BitsStored",
        "ImagerPixelSpacing",
        "ViewPosition",
        "BodyPartExamined",
        "BurnedInAnnotation",
    ):
        assert output[keyword].value == source[keyword].value, keyword
    assert np.array_equal(output.pixel_array, source.pixel_array)


def test_stored_file_renders_exactly_like_the_upload(phi_processed):
    # the rebuilt file is itself a valid upload; processing it again changes no pixel
    again = dicom_process(phi_processed.deidentified_dicom, filename="again.dcm", uid_secret=SECRET)
    assert again.display_png == phi_processed.display_png
    assert again.presets == phi_processed.presets


def test_rg1_compressed_upload_is_stored_decompressed():
    data = Path(get_testdata_file("RG1_J2KR.dcm")).read_bytes()
    output = stored(dicom_process(data, filename="rg1.dcm", uid_secret=SECRET))
    reference = pydicom.dcmread(get_testdata_file("RG1_UNCR.dcm"))
    assert output.file_meta.TransferSyntaxUID == uid.ExplicitVRLittleEndian
    assert np.array_equal(output.pixel_array, reference.pixel_array)
    assert output.LossyImageCompression == "00"  # as RG1 says: lossless


def test_new_uids_are_valid_2_25_uids_distinct_from_the_originals(phi_upload, phi_processed):
    source = pydicom.dcmread(io.BytesIO(phi_upload))
    new = {
        "study": phi_processed.study_instance_uid,
        "series": phi_processed.series_instance_uid,
        "sop": phi_processed.sop_instance_uid,
    }
    for value in new.values():
        assert re.fullmatch(r"2\.25\.[1-9][0-9]{0,38}", value), value
        assert uid.UID(value).is_valid
    assert len(set(new.values())) == 3
    assert not set(new.values()) & {
        source.StudyInstanceUID,
        source.SeriesInstanceUID,
        source.SOPInstanceUID,
    }
    output = stored(phi_processed)
    assert (output.StudyInstanceUID, output.SeriesInstanceUID, output.SOPInstanceUID) == (
        new["study"],
        new["series"],
        new["sop"],
    )


def test_uids_are_consistent_per_secret_and_keep_studies_together():
    first = synthetic_chest_dicom(seed=1, study_uid="1.2.3.4.5")
    second = synthetic_chest_dicom(seed=2, study_uid="1.2.3.4.5")
    a = dicom_process(first, filename="a.dcm", uid_secret=SECRET)
    b = dicom_process(second, filename="b.dcm", uid_secret=SECRET)
    other_secret = dicom_process(
        first, filename="a.dcm", uid_secret=b"another-secret-of-32-bytes------"
    )
    assert a.study_instance_uid == b.study_instance_uid
    assert a.sop_instance_uid != b.sop_instance_uid
    assert other_secret.study_instance_uid != a.study_instance_uid
    assert other_secret.sop_instance_uid != a.sop_instance_uid


def test_derive_uid_is_a_version_8_uuid_under_2_25():
    value = derive_uid(original="1.2.840.1", role="sop", secret=SECRET)
    number = int(value.removeprefix("2.25."))
    assert (number >> 76) & 0xF == 8  # version nibble
    assert (number >> 62) & 0b11 == 0b10  # RFC variant
    assert derive_uid(original="1.2.840.1", role="study", secret=SECRET) != value


def test_missing_uids_are_derived_from_the_pixels():
    data = modified(
        synthetic_chest_dicom(seed=4),
        StudyInstanceUID=None,
        SeriesInstanceUID=None,
        SOPInstanceUID=None,
    )
    first = dicom_process(data, filename="a.dcm", uid_secret=SECRET)
    second = dicom_process(data, filename="a.dcm", uid_secret=SECRET)
    assert first.sop_instance_uid == second.sop_instance_uid
    assert uid.UID(first.sop_instance_uid).is_valid


@pytest.mark.parametrize(("burned_in", "needs_review"), [("NO", False), (None, True), ("", True)])
def test_burned_in_annotation_decides_review(burned_in, needs_review):
    data = synthetic_chest_dicom(burned_in=burned_in)
    assert dicom_process(data, filename="b.dcm", uid_secret=SECRET).needs_review is needs_review
