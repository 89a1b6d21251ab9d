"""The console's case upload answers every bad archive with 400 (413 past the upload limit) and
the reason on the page, never a 500; the problem list on the page is capped and counts the rest."""

import html
import json
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from study import demo
from study.models import StudyMembership
from tests.factories import StudyFactory
from tests.study.core.imaging.zips import (
    HEADER,
    manifest_row,
    with_bad_crc,
    with_encrypted_flag,
    with_method,
    zip_bytes,
)
from tests.study.dicom_factory import synthetic_chest_dicom

pytestmark = pytest.mark.django_db


@pytest.fixture
def study(owner):
    study = StudyFactory(cases_per_participant=3, inaccurate_per_participant=1)
    for arm in demo.ARMS:
        study.arms.create(**arm)
    for index, (code, label) in enumerate(demo.DIAGNOSES):
        study.diagnoses.create(code=code, label=label, position=index)
    study.memberships.create(user=owner, role=StudyMembership.Role.OWNER)
    return study


def _upload(client, study, data: bytes):
    upload = SimpleUploadedFile("cases.zip", data, content_type="application/zip")
    return client.post(reverse("console:cases", args=[study.slug]), {"archive": upload})


def _two_cases() -> bytes:
    return zip_bytes(
        {
            "manifest.csv": (
                HEADER + manifest_row("A1", "a.dcm") + manifest_row("A2", "b.dcm")
            ).encode(),
            "a.dcm": synthetic_chest_dicom(seed=1),
            "b.dcm": synthetic_chest_dicom(seed=2),
        },
        method=zipfile.ZIP_STORED,
    )


def _text(page) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.content.decode())))


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        (
            lambda: with_bad_crc(_two_cases(), "b.dcm"),
            "b.dcm A2 refused the file is corrupt (its CRC-32 checksum does not match its "
            "contents); zip it again",
        ),
        (
            lambda: with_encrypted_flag(_two_cases(), "b.dcm"),
            "b.dcm A2 refused the file is encrypted; zip it again without a password",
        ),
        (
            lambda: with_method(_two_cases(), "b.dcm", 99),
            "b.dcm A2 refused the file is compressed with method 99",
        ),
        (
            lambda: zip_bytes({"manifest.json": b"[" * 100_000 + b"]" * 100_000}),
            "manifest.json nests JSON too deeply to be read",
        ),
        (
            lambda: zip_bytes(
                {"manifest.csv": (HEADER + manifest_row("A1", "a.dcm", vignette="v" * 131_073))}
            ),
            "manifest.csv is not readable CSV (field larger than field limit (131072))",
        ),
        (
            lambda: zip_bytes([("manifest.csv", b"x"), ("../a.dcm", b"y")]),
            "cases.zip: '../a.dcm': the file name climbs out of the archive with '..'",
        ),
        (lambda: b"not a zip", "cases.zip: the upload is not a zip archive"),
    ],
    ids=["bad-crc", "encrypted", "unknown-method", "deep-json", "huge-cell", "traversal", "junk"],
)
def test_given_a_bad_archive_then_the_answer_is_400_with_the_reason(
    owner_client, study, data, shown
):
    # Before: each of the first five was an exception, a 500 (the first committed case A1).
    page = _upload(owner_client, study, data())

    assert page.status_code == 400
    assert shown in _text(page)
    assert not study.cases.exists()


def test_given_an_upload_over_the_limit_then_the_answer_is_413_and_nothing_is_kept(
    owner_client, study, settings
):
    settings.UPLOAD_MAX_BYTES = 256 * 1024
    page = _upload(owner_client, study, _two_cases())

    assert page.status_code == 413
    assert "The upload is larger than 256 KB, the most this server accepts at once" in _text(page)
    assert not study.cases.exists()


def test_given_more_problems_than_listed_then_the_page_lists_100_and_counts_the_rest(
    owner_client, study
):
    rows = "".join(manifest_row(f"C{i}", f"missing{i}.dcm") for i in range(130))
    page = _upload(owner_client, study, zip_bytes({"manifest.csv": HEADER + rows}))

    text = _text(page)
    assert page.status_code == 400
    assert "The manifest has 130 problems; nothing was imported." in text
    assert "… and 30 more problems not listed here." in text
    assert text.count("is not in the archive") == 100


def test_given_too_many_rows_then_one_problem_is_shown(owner_client, study, settings):
    settings.CASE_MANIFEST_MAX_ROWS = 5
    records = [{"case": f"C{i}"} for i in range(6)]
    page = _upload(owner_client, study, zip_bytes({"manifest.json": json.dumps(records)}))
    assert page.status_code == 400
    assert "manifest.json lists 6 cases; at most 5 in one import" in _text(page)


def test_given_a_good_archive_then_the_page_says_every_case_was_imported(owner_client, study):
    page = _upload(owner_client, study, _two_cases())
    assert page.status_code == 200
    assert "2 cases imported." in _text(page)
    assert sorted(study.cases.values_list("code", flat=True)) == ["A1", "A2"]


def test_the_form_carries_the_limits_for_the_browser_and_the_reader(owner_client, study):
    page = owner_client.get(reverse("console:cases", args=[study.slug]))
    body = page.content.decode()
    assert 'data-max-bytes="536870912"' in body
    assert "At most 512 MB per upload; the manifest at most 2 MB and 2000 cases." in body


_VARIANT_HEADER = (
    "case,image,vignette,reference_diagnosis,accurate_advice,accurate_diagnosis,"
    "inaccurate_advice,inaccurate_diagnosis,training,feedback,accurate_annotation,"
    "inaccurate_annotation,accurate_confidence,inaccurate_confidence\n"
)
_VARIANT_ROW = "A1,a.dcm,A patient.,pneumonia,Consolidation.,pneumonia,Clear lungs.,normal,"


def test_given_per_variant_annotations_then_each_advice_is_stored_with_its_own(owner_client, study):
    # given a manifest whose inaccurate advice marks another region with another confidence
    box = '"{""type"": ""box"", ""x"": 10, ""y"": 10, ""width"": 40, ""height"": 40}"'
    arrow = '"{""type"": ""arrow"", ""x1"": 300, ""y1"": 400, ""x2"": 350, ""y2"": 450}"'
    row = f"{_VARIANT_ROW}true,Look left.,{box},{arrow},92,61\n"
    manifest = (_VARIANT_HEADER + row).encode()
    archive = zip_bytes({"manifest.csv": manifest, "a.dcm": synthetic_chest_dicom()})
    response = _upload(owner_client, study, archive)
    assert response.status_code == 200, _text(response)
    case = study.cases.get(code="A1")
    advice = {a.variant: (a.annotation["type"], a.displayed_confidence) for a in case.advice.all()}
    assert advice == {"accurate": ("box", 92.0), "inaccurate": ("arrow", 61.0)}
    assert (case.is_training, case.feedback) == (True, "Look left.")


def test_given_an_inaccurate_annotation_outside_the_image_then_the_file_is_refused_naming_it(
    owner_client, study
):
    box = '"{""type"": ""box"", ""x"": 400, ""y"": 10, ""width"": 40, ""height"": 40}"'
    row = f"{_VARIANT_ROW}false,,,{box},,\n"
    manifest = (_VARIANT_HEADER + row).encode()
    archive = zip_bytes({"manifest.csv": manifest, "a.dcm": synthetic_chest_dicom()})
    response = _upload(owner_client, study, archive)
    assert response.status_code == 400
    assert "inaccurate advice: the annotation reaches beyond the 420 x 512 image" in _text(response)
    assert not study.cases.exists()
