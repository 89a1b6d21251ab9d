"""Bulk case import: per-file outcomes, all cases or none stored, no PHI kept."""

import io
import zipfile
from pathlib import Path

import pydicom
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from study import demo, services
from study.core.imaging.samples import rg1_variant
from study.models import Case, Study
from study.services.imports import ArchiveError, cases_import
from tests.factories import RADIOLOGIST, StudyFactory, UserFactory, enrolled_participant
from tests.study.dicom_factory import synthetic_chest_dicom

pytestmark = pytest.mark.django_db

HEADER = (
    "case,image,vignette,reference_diagnosis,accurate_advice,accurate_diagnosis,"
    "inaccurate_advice,inaccurate_diagnosis,training,annotation,displayed_confidence\n"
)


def _row(case, image, annotation=""):
    return (
        f"{case},{image},A patient.,pneumonia,Consolidation.,pneumonia,Clear lungs.,normal,"
        f'false,"{annotation}",\n'
    )


def _study(owner=None) -> Study:
    study = StudyFactory(cases_per_participant=3, inaccurate_per_participant=1)
    for arm in demo.ARMS:
        study.arms.create(**arm)
    for index, (code, label) in enumerate(demo.DIAGNOSES):
        study.diagnoses.create(code=code, label=label, position=index)
    if owner is not None:
        study.memberships.create(user=owner, role="owner")
    return study


def _zip(files: dict[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def _mixed_archive(*, with_refused: bool = True) -> tuple[io.BytesIO, bytes]:
    rg1 = rg1_variant("original")  # real radiograph, BurnedInAnnotation absent
    good = synthetic_chest_dicom(seed=1, burned_in="NO")
    burned = synthetic_chest_dicom(seed=2, burned_in="YES")
    broken = synthetic_chest_dicom(seed=3)[:2000]
    box = '{""type"": ""box"", ""x"": 10, ""y"": 20, ""width"": 50, ""height"": 40}'
    manifest = (
        HEADER
        + _row("A1", "images/rg1.dcm")
        + _row("A2", "images/good.dcm", box)
        + (
            _row("A3", "images/burned.dcm") + _row("A4", "images/broken.dcm")
            if with_refused
            else ""
        )
        + _row("A5", "images/good2.dcm")
    )
    files = {
        "manifest.csv": manifest.encode(),
        "images/rg1.dcm": rg1,
        "images/good.dcm": good,
        "images/burned.dcm": burned,
        "images/broken.dcm": broken,
        "images/good2.dcm": synthetic_chest_dicom(seed=4, burned_in="NO"),
        "README.txt": b"notes",
    }
    if not with_refused:
        del files["images/burned.dcm"], files["images/broken.dcm"]
    return _zip(files), rg1


def _good_archive() -> io.BytesIO:
    return _mixed_archive(with_refused=False)[0]


def test_given_a_mixed_archive_then_every_file_has_its_outcome_and_no_case_is_stored(settings):
    study = _study()
    archive, _ = _mixed_archive()

    report = cases_import(study=study, archive=archive)

    assert [(o.file, o.case, o.status) for o in report.outcomes] == [
        ("images/rg1.dcm", "A1", "not_imported"),
        ("images/good.dcm", "A2", "not_imported"),
        ("images/burned.dcm", "A3", "refused"),
        ("images/broken.dcm", "A4", "refused"),
        ("images/good2.dcm", "A5", "not_imported"),
        ("README.txt", "", "ignored"),
    ]
    messages = {o.case: o.message for o in report.outcomes}
    assert "BurnedInAnnotation" in messages["A3"]
    assert messages["A4"]  # the imaging module's reason, shown verbatim
    assert messages["A2"] == "acceptable, but nothing was imported: 2 files were refused"
    assert messages["A1"] == (
        "acceptable (it will need a review for burned-in text), but nothing was imported: "
        "2 files were refused"
    )
    assert (report.stored, report.imported, report.refused) == (False, 0, 2)
    assert not study.cases.exists()
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []


def test_given_a_good_archive_then_every_case_is_stored():
    study = _study()

    report = cases_import(study=study, archive=_good_archive())

    assert [(o.file, o.case, o.status) for o in report.outcomes] == [
        ("images/rg1.dcm", "A1", "needs_review"),
        ("images/good.dcm", "A2", "imported"),
        ("images/good2.dcm", "A5", "imported"),
        ("README.txt", "", "ignored"),
    ]
    assert (report.stored, report.imported, report.refused) == (True, 3, 0)
    assert sorted(study.cases.values_list("code", flat=True)) == ["A1", "A2", "A5"]
    assert study.cases.get(code="A1").review_status == Case.Review.NEEDS_REVIEW
    advice = study.cases.get(code="A2").advice.get(variant="accurate")
    assert advice.annotation == {"type": "box", "x": 10, "y": 20, "width": 50, "height": 40}


def test_given_an_imported_case_then_the_stored_files_hold_no_original_and_no_phi(settings):
    study = _study()
    archive, rg1 = _mixed_archive(with_refused=False)
    cases_import(study=study, archive=archive)

    stored = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert stored
    assert all(p.read_bytes() != rg1 for p in stored)
    for path in stored:
        if path.suffix == ".dcm":
            dataset = pydicom.dcmread(path)
            assert dataset.PatientIdentityRemoved == "YES"
            for keyword in ("PatientName", "PatientID", "StudyDate", "InstitutionName"):
                assert keyword not in dataset
    assert not list(Path(settings.MEDIA_ROOT).rglob("*broken*"))


def test_given_a_case_needing_review_then_the_study_opens_only_after_confirmation():
    study = _study()
    cases_import(study=study, archive=_good_archive())
    with pytest.raises(services.StudyStateError, match="A1"):
        services.study_open(study=study)

    services.case_review_confirm(case=study.cases.get(code="A1"))
    study = services.study_open(study=study)

    participant = enrolled_participant(study, RADIOLOGIST)
    assert participant.trials.count() == 3


def test_given_the_accepted_cases_then_a_participant_gets_their_images(client):
    study = _study()
    cases_import(study=study, archive=_good_archive())
    services.case_review_confirm(case=study.cases.get(code="A1"))
    study = services.study_open(study=study)
    participant = enrolled_participant(study, RADIOLOGIST)
    trial = participant.trials.get(position=1)

    page = client.get(reverse("participant:trial", args=[participant.token, 1]))

    url = page.context["images"]["preview"]
    image = client.get(url)
    assert image.status_code == 200
    assert image["Content-Type"] == "image/webp"
    assert image["Cache-Control"] == "private, max-age=31536000, immutable"
    other = enrolled_participant(study, RADIOLOGIST)
    foreign = url.replace(participant.token, other.token)
    # Another participant's token with the same position serves their own case, never this one
    # unless it is the same case; a made-up name is refused.
    assert client.get(foreign.rsplit("/", 1)[0] + "/nothing.png").status_code == 404
    assert trial.case.code in {"A1", "A2", "A5"}


def test_given_a_manifest_with_problems_then_nothing_is_imported():
    study = _study()
    archive = _zip(
        {
            "manifest.csv": (HEADER + _row("A1", "missing.dcm") + _row("A1", "b.dcm")).encode(),
            "b.dcm": synthetic_chest_dicom(seed=1),
        }
    )

    report = cases_import(study=study, archive=archive)

    assert [str(p) for p in report.manifest_problems] == [
        "row 1, column 'image': 'missing.dcm' is not in the archive",
        "row 2, column 'case': 'A1' is also on row 1",
    ]
    assert report.outcomes == []
    assert not study.cases.exists()


def test_given_an_existing_case_code_then_the_import_is_refused_by_row():
    study = _study()
    cases_import(
        study=study,
        archive=_zip(
            {
                "manifest.csv": (HEADER + _row("A1", "a.dcm")).encode(),
                "a.dcm": synthetic_chest_dicom(),
            }
        ),
    )
    report = cases_import(
        study=study,
        archive=_zip(
            {
                "manifest.csv": (HEADER + _row("A1", "a.dcm")).encode(),
                "a.dcm": synthetic_chest_dicom(),
            }
        ),
    )
    assert [str(p) for p in report.manifest_problems] == [
        "row 1, column 'case': 'A1' already exists in this study"
    ]


def test_given_an_annotation_outside_the_image_then_that_case_is_refused():
    study = _study()
    box = '{""type"": ""box"", ""x"": 400, ""y"": 20, ""width"": 50, ""height"": 40}'
    archive = _zip(
        {
            "manifest.csv": (HEADER + _row("A1", "a.dcm", box)).encode(),
            "a.dcm": synthetic_chest_dicom(rows=512, columns=420),
        }
    )
    report = cases_import(study=study, archive=archive)
    assert [(o.status, o.message) for o in report.outcomes] == [
        ("refused", "the annotation reaches beyond the 420 x 512 image")
    ]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (None, "the upload is not a zip archive (File is not a zip file)"),
        (
            {"a.dcm": b"x"},
            "the archive must hold exactly one manifest.csv or manifest.json at its top level",
        ),
        (
            {"manifest.csv": b"x", "manifest.json": b"[]"},
            "the archive must hold exactly one manifest.csv or manifest.json at its top level "
            "(found manifest.csv, manifest.json)",
        ),
    ],
)
def test_given_an_unusable_archive_then_the_error_says_why(files, message):
    archive = io.BytesIO(b"not a zip") if files is None else _zip(files)
    with pytest.raises(ArchiveError) as raised:
        cases_import(study=_study(), archive=archive)
    assert str(raised.value) == message


def test_given_participants_then_the_case_library_is_frozen():
    study = _study()
    cases_import(
        study=study,
        archive=_zip(
            {
                "manifest.csv": (
                    HEADER + "".join(_row(f"A{i}", f"{i}.dcm") for i in range(3))
                ).encode(),
                **{f"{i}.dcm": synthetic_chest_dicom(seed=i) for i in range(3)},
            }
        ),
    )
    study = services.study_open(study=study)
    enrolled_participant(study)
    study.refresh_from_db()
    with pytest.raises(services.StudyStateError, match="only while it is a draft"):
        cases_import(study=study, archive=_mixed_archive()[0])


def test_given_the_console_upload_then_the_report_lists_every_file(client):
    owner = UserFactory(username="owner")
    study = _study(owner=owner)
    client.force_login(owner)
    upload = SimpleUploadedFile("cases.zip", _good_archive().getvalue())

    page = client.post(reverse("console:cases", args=[study.slug]), {"archive": upload})

    body = page.content.decode()
    assert page.status_code == 200
    assert "3 cases imported." in body
    assert "images/good2.dcm" in body
    assert "README.txt" in body
    thumb = study.cases.get(code="A2").thumbnail_image.name.rsplit("/", 1)[-1]
    image = client.get(reverse("console:case_image", args=[study.slug, "A2", thumb]))
    assert image.status_code == 200
    client.force_login(UserFactory(username="stranger"))
    image = client.get(reverse("console:case_image", args=[study.slug, "A2", thumb]))
    assert image.status_code == 404


def test_given_a_viewer_then_the_upload_is_refused():
    study = _study()
    viewer = UserFactory(username="viewer")
    study.memberships.create(user=viewer, role="viewer")
    from django.test import Client

    client = Client()
    client.force_login(viewer)
    upload = SimpleUploadedFile("cases.zip", _mixed_archive()[0].getvalue())
    assert (
        client.post(reverse("console:cases", args=[study.slug]), {"archive": upload}).status_code
        == 403
    )
    assert not study.cases.exists()
