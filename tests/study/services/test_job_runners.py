"""The import runner (study.services.job_runners): a case archive imported by a job, sealed
while it waits (its DICOM headers are not yet de-identified) and gone once read."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from study import services
from study.core.sealed import unseal
from study.models import Case, Job
from study.services import jobs
from tests.factories import UserFactory
from tests.study.dicom_factory import synthetic_chest_dicom
from tests.study.services.test_imports import HEADER, _row, _study, _zip

pytestmark = pytest.mark.django_db

MARKER = b"Doe^Marker^Sealed"


def _archive() -> SimpleUploadedFile:
    dicom = synthetic_chest_dicom(seed=7, burned_in="NO", extra={"PatientName": MARKER.decode()})
    assert MARKER in dicom
    files = {"manifest.csv": (HEADER + _row("B1", "b1.dcm")).encode(), "b1.dcm": dicom}
    return SimpleUploadedFile("cases.zip", _zip(files).getvalue(), "application/zip")


def test_given_a_broker_then_the_waiting_archive_is_sealed_and_the_worker_imports_it(
    settings, monkeypatch
):
    owner = UserFactory(username="importer")
    study = _study(owner)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(jobs, "_send", lambda job_id: None)
    upload = _archive()

    job = services.job_start(
        study=study,
        kind="import",
        actor=owner,
        params={"archive_name": "cases.zip"},
        input_file=upload,
        input_name="archive.zip",
    )

    with job.input_file.open("rb") as stored:
        waiting = stored.read()
    assert MARKER not in waiting
    assert b"DICM" not in waiting
    assert b"manifest.csv" not in waiting
    upload.seek(0)
    assert unseal(waiting, jobs._input_key(job)) == upload.read()
    path = job.input_file.path

    done = services.job_execute(job_id=job.pk)

    assert (done.status, done.message) == ("done", "cases.zip: 1 case imported.")
    assert done.result["stored"] is True
    assert [o["status"] for o in done.result["outcomes"]] == ["imported"]
    assert list(Case.objects.filter(study=study).values_list("code", flat=True)) == ["B1"]
    assert not Job.objects.get(pk=job.pk).input_file
    assert not os.path.exists(path)


def test_given_a_changed_sealed_archive_then_the_import_fails_and_imports_nothing(
    settings, monkeypatch
):
    owner = UserFactory(username="importer")
    study = _study(owner)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(jobs, "_send", lambda job_id: None)
    job = services.job_start(
        study=study, kind="import", actor=owner, input_file=_archive(), input_name="a.zip"
    )
    with open(job.input_file.path, "r+b") as stored:
        stored.seek(40)
        byte = stored.read(1)
        stored.seek(40)
        stored.write(bytes([byte[0] ^ 1]))

    failed = services.job_execute(job_id=job.pk)

    assert (failed.status, failed.message) == (
        "failed",
        "The uploaded file of this job cannot be read: the job input was changed or sealed "
        "under another key.",
    )
    assert not Case.objects.filter(study=study).exists()


def test_given_an_open_study_then_the_import_job_is_refused_with_the_reason():
    owner = UserFactory(username="importer")
    study = _study(owner)
    study.status = "recruiting"
    study.save(update_fields=["status"])

    job = services.job_start(
        study=study, kind="import", actor=owner, params={"archive_name": "cases.zip"},
        input_file=_archive(),
    )  # fmt: skip

    assert job.status == "failed"
    assert job.message.startswith("cases.zip: ")
    assert job.result == {"refusal": "archive"}
    assert not job.input_file
