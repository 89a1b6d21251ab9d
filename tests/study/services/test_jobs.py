"""Jobs done off the request (study.services.jobs): run once to an end, progress and result
stored, failures named, permissions of the kind, the report cached by its data's sha256, and
with a broker the task sent only once the job is committed."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from study import services
from study.models import AuditEvent, Job, StudyMembership
from study.services import jobs
from tests.factories import INTERNIST, UserFactory, answer_all, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory(username="jobs-owner")


@pytest.fixture
def answered(owner):
    study = gaube_study(owner=owner)
    answer_all(enrolled_participant(study))
    answer_all(enrolled_participant(study, INTERNIST), decision="reject")
    return study


def _actions(study) -> list[str]:
    return list(
        AuditEvent.objects.filter(study=study, action__startswith="job.")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_given_no_broker_when_a_report_job_starts_then_it_has_run_and_stored_the_report(
    answered, owner
):
    job = services.job_start(
        study=answered, kind="report", actor=owner, params={"include_synthetic": False}
    )

    assert (job.status, job.kind, job.requested_by) == ("done", "report", owner)
    assert job.message == "Report fitted on 16 trials."
    assert job.result["trials"] == 16
    assert job.result["participants"] == 2
    assert (job.progress_done, job.progress_total) == (3, 3)
    assert job.result_name == f"{answered.slug}-report.html"
    with job.result_file.open("rb") as stored:
        assert f"{answered.title}: analysis report".encode() in stored.read()
    _, digest = services.report_data(study=answered)
    assert job.data_sha256 == digest
    assert _actions(answered) == ["job.start", "job.done"]
    assert job.started_at <= job.finished_at


def test_given_the_same_data_then_a_second_report_reuses_the_fit_and_new_data_refit(
    answered, owner
):
    first = services.job_start(study=answered, kind="report", actor=owner)
    second = services.job_start(study=answered, kind="report", actor=owner)

    assert second.message == (
        f"The data are those of report {first.public_id}: its fit is reused (16 trials)."
    )
    assert second.result["reused_from"] == first.public_id
    assert second.data_sha256 == first.data_sha256
    # the models were fitted once: study_report audits each fit
    assert AuditEvent.objects.filter(study=answered, action="report").count() == 1

    answer_all(enrolled_participant(answered))
    third = services.job_start(study=answered, kind="report", actor=owner)
    assert third.message == "Report fitted on 24 trials."
    assert third.data_sha256 != first.data_sha256
    assert AuditEvent.objects.filter(study=answered, action="report").count() == 2


def test_given_no_answers_then_the_report_job_fails_with_the_reason(owner):
    study = gaube_study(owner=owner)
    job = services.job_start(study=study, kind="report", actor=owner)
    assert (job.status, job.message, job.error) == (
        "failed",
        "No answered trials yet: the report needs data.",
        "",
    )
    assert not job.result_file
    assert _actions(study) == ["job.start", "job.failed"]


def test_given_a_runner_that_breaks_then_the_job_fails_naming_the_error(
    answered, owner, monkeypatch
):
    def broken(job, progress):
        progress(1, 4, "Halfway.")
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(jobs._RUNNERS, Job.Kind.POWER, broken)
    job = services.job_start(study=answered, kind="power", actor=owner)

    assert job.status == "failed"
    assert job.message == "The job stopped on an error (ZeroDivisionError): division by zero"
    assert job.error == "ZeroDivisionError('division by zero')"
    assert (job.progress_done, job.progress_total) == (1, 4)


def test_given_a_result_the_storage_refuses_then_the_job_fails_and_keeps_no_file(
    answered, owner, monkeypatch
):
    from django.core.files.storage import FileSystemStorage

    def full(self, name, content, max_length=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "save", full)
    job = services.job_start(study=answered, kind="report", actor=owner)

    assert job.status == "failed"
    assert job.message.startswith("The result could not be stored (OSError):")
    assert not job.result_file


def test_given_a_finished_job_when_delivered_again_then_it_is_left_as_it_was(answered, owner):
    job = services.job_start(study=answered, kind="export", actor=owner)
    again = services.job_execute(job_id=job.pk)
    assert (again.status, again.finished_at, again.result_file.name) == (
        "done",
        job.finished_at,
        job.result_file.name,
    )
    assert _actions(answered) == ["job.start", "job.done"]


def test_given_an_export_job_then_its_result_is_the_bundle(answered, owner):
    job = services.job_start(study=answered, kind="export", actor=owner)

    assert (job.status, job.result_type) == ("done", "application/zip")
    assert job.message == "Export bundle written: 16 trial rows."
    with job.result_file.open("rb") as stored, zipfile.ZipFile(io.BytesIO(stored.read())) as z:
        trials = z.read("trials.csv").decode().splitlines()
    assert len(trials) == 17


def test_given_roles_then_each_kind_asks_its_permission(answered, owner):
    viewer = UserFactory(username="jobs-viewer")
    StudyMembership.objects.create(study=answered, user=viewer, role="viewer")

    assert services.job_start(study=answered, kind="export", actor=viewer).status == "done"
    with pytest.raises(PermissionDenied):
        services.job_start(study=answered, kind="import", actor=viewer)
    with pytest.raises(Http404):
        services.job_start(study=answered, kind="report", actor=UserFactory(username="stranger"))
    with pytest.raises(services.JobRefused) as refused:
        services.job_start(study=answered, kind="mine", actor=owner)
    assert str(refused.value) == (
        "Unknown kind of job 'mine': one of report, power, export, import, email."
    )
    assert Job.objects.filter(study=answered).count() == 1


def test_given_a_broker_then_the_job_is_queued_and_sent_only_once_committed(
    answered, owner, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = []
    monkeypatch.setattr(jobs, "_send", sent.append)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.job_start(study=answered, kind="report", actor=owner)
    assert (job.status, job.message, sent) == ("queued", "Waiting for a worker.", [])

    for callback in callbacks:
        callback()
    assert sent == [job.pk]
    assert Job.objects.get(pk=job.pk).status == "queued"
    # the worker's side
    assert services.job_execute(job_id=job.pk).status == "done"
