"""study/api/jobs.py: a report or an export bundle started as a job (202; eager without a
broker, so already done), followed by its URL, its file downloaded; a job of another study or
none at all is a 404, a job without a file a 409."""

import io
import zipfile

import pytest

from study.models import Job
from tests.factories import UserFactory, answer_all, enrolled_participant, gaube_study
from tests.study.api.api_world import member, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory(username="pi")


@pytest.fixture
def study(owner):
    study = gaube_study(owner=owner)
    for _ in range(2):
        answer_all(enrolled_participant(study))
    return study


def test_given_an_export_job_then_202_with_the_job_and_its_bundle_downloads(owner, study):
    client = token_client(owner)

    started = client.post(f"/api/studies/{study.slug}/jobs/", {"kind": "export"}, format="json")

    assert started.status_code == 202
    job = started.json()
    url = f"http://testserver/api/studies/{study.slug}/jobs/{job['public_id']}/"
    assert started["Location"] == url
    assert (job["kind"], job["status"], job["url"], job["result_url"]) == (
        "export",
        "done",
        url,
        url + "result/",
    )
    assert job["requested_by"] == "pi"
    assert client.get(url).json() == job
    result = client.get(job["result_url"])
    assert result.status_code == 200
    assert result["Content-Type"] == "application/zip"
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(result.streaming_content)))
    assert "trials.csv" in bundle.namelist()
    assert Job.objects.get(public_id=job["public_id"]).params == {
        "include_synthetic": False,
        "via": "api",
    }


def test_given_a_viewer_then_a_report_job_is_started_as_on_the_console(owner, study):
    client = token_client(member(study, "statistician", "viewer"))

    started = client.post(f"/api/studies/{study.slug}/jobs/", {"kind": "report"}, format="json")

    assert started.status_code == 202
    job = started.json()
    assert (job["kind"], job["status"]) == ("report", "done")
    report = client.get(job["result_url"])
    assert report["Content-Type"] == "text/html; charset=utf-8"
    assert b"<html" in b"".join(report.streaming_content)


def test_given_jobs_then_the_list_is_newest_first_and_filters_by_kind_and_status(owner, study):
    client = token_client(owner)
    for kind in ("export", "export"):
        client.post(f"/api/studies/{study.slug}/jobs/", {"kind": kind}, format="json")
    Job.objects.create(public_id="JQUEUED", study=study, kind="report")

    listed = client.get(f"/api/studies/{study.slug}/jobs/").json()
    queued = client.get(f"/api/studies/{study.slug}/jobs/?status=queued").json()
    exports = client.get(f"/api/studies/{study.slug}/jobs/?kind=export&status=done").json()

    assert listed["count"] == 3
    assert listed["results"][0]["public_id"] == "JQUEUED"
    assert [job["public_id"] for job in queued["results"]] == ["JQUEUED"]
    assert exports["count"] == 2


def test_given_a_queued_job_then_its_result_is_409_saying_so(owner, study):
    Job.objects.create(public_id="JQUEUED", study=study, kind="report")

    response = token_client(owner).get(f"/api/studies/{study.slug}/jobs/JQUEUED/result/")

    assert (response.status_code, response.json()) == (
        409,
        {"detail": "Job JQUEUED is waiting for a worker."},
    )


@pytest.mark.parametrize("public_id", ["JNOSUCH", "J" * 40, "J%00"])
def test_given_no_such_job_then_404(owner, study, public_id):
    response = token_client(owner).get(f"/api/studies/{study.slug}/jobs/{public_id}/")

    assert (response.status_code, response.json()) == (
        404,
        {"detail": "No such job in this study."},
    )


def test_given_another_studys_job_then_404(owner, study):
    other = gaube_study(owner=owner, slug="other")
    Job.objects.create(public_id="JOTHER", study=other, kind="report")

    response = token_client(owner).get(f"/api/studies/{study.slug}/jobs/JOTHER/")

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"kind": ["This field is required."]}),
        ({"kind": "import"}, {"kind": ['"import" cannot be started here: report or export.']}),
        (
            {"kind": "report", "include_synthetic": "maybe"},
            {"include_synthetic": ["Must be a valid boolean."]},
        ),
    ],
)
def test_given_a_bad_job_then_400_and_no_job(owner, study, body, errors):
    response = token_client(owner).post(f"/api/studies/{study.slug}/jobs/", body, format="json")

    assert (response.status_code, response.json()) == (400, errors)
    assert not Job.objects.exists()


def test_given_a_broker_then_a_job_is_202_queued_and_its_result_waits(owner, study, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # queued on commit; the test never commits
    client = token_client(owner)

    started = client.post(f"/api/studies/{study.slug}/jobs/", {"kind": "report"}, format="json")

    job = started.json()
    assert (started.status_code, job["status"], job["result_url"]) == (202, "queued", None)
    waiting = client.get(f"/api/studies/{study.slug}/jobs/{job['public_id']}/result/")
    assert waiting.json() == {"detail": f"Job {job['public_id']} is waiting for a worker."}


def test_given_the_owners_export_then_a_viewer_may_not_download_it_but_their_own(owner, study):
    mine = token_client(owner).post(
        f"/api/studies/{study.slug}/jobs/", {"kind": "export"}, format="json"
    )
    viewer = token_client(member(study, "statistician", "viewer"))

    refused = viewer.get(mine.json()["result_url"])
    theirs = viewer.post(f"/api/studies/{study.slug}/jobs/", {"kind": "export"}, format="json")

    assert (refused.status_code, refused.json()) == (
        403,
        {
            "detail": "This export holds free-text answers, which viewers of this study may not "
            "download: start an export of your own (it leaves them out)."
        },
    )
    assert viewer.get(theirs.json()["result_url"]).status_code == 200
