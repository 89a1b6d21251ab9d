"""The console's background jobs: start, follow and download; the report from its cache."""

import pytest
from django.urls import reverse

from study.models import AuditEvent, Job, StudyMembership
from tests.factories import INTERNIST, UserFactory, answer_all, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(owner):
    study = gaube_study(owner=owner)
    answer_all(enrolled_participant(study))
    answer_all(enrolled_participant(study, INTERNIST), decision="reject")
    return study


def test_given_a_report_job_then_the_report_page_serves_the_cache_until_the_data_change(
    owner_client, answered
):
    url = reverse("console:report", args=[answered.slug])
    before = owner_client.get(url)
    assert b"No report has been fitted yet." in before.content

    started = owner_client.post(
        reverse("console:job_start", args=[answered.slug]), {"kind": "report"}
    )
    assert started.status_code == 302
    assert started["Location"] == url

    cached = owner_client.get(url)
    assert cached["Content-Type"] == "text/html; charset=utf-8"
    assert f"{answered.title}: analysis report" in cached.content.decode()
    assert owner_client.get(url).content == cached.content
    assert AuditEvent.objects.filter(study=answered, action="report").count() == 1
    downloaded = owner_client.get(url, {"download": "1"})
    assert (
        downloaded["Content-Disposition"] == f'attachment; filename="{answered.slug}-report.html"'
    )

    answer_all(enrolled_participant(answered))
    stale = owner_client.get(url)
    assert b"The data have changed since the last report" in stale.content


def test_given_an_export_job_then_its_page_links_the_bundle_and_the_link_downloads_it(
    owner_client, answered
):
    response = owner_client.post(
        reverse("console:job_start", args=[answered.slug]), {"kind": "export"}, follow=True
    )
    job = Job.objects.get(study=answered)
    assert response.redirect_chain == [
        (reverse("console:job", args=[answered.slug, job.public_id]), 302)
    ]
    page = response.content.decode()
    assert "<strong>Done.</strong> Export bundle written: 16 trial rows." in page
    assert '<meta http-equiv="refresh"' not in page
    result = owner_client.get(reverse("console:job_result", args=[answered.slug, job.public_id]))
    assert result["Content-Type"] == "application/zip"
    assert result["Content-Disposition"] == f'attachment; filename="{answered.slug}-export.zip"'
    assert b"".join(result.streaming_content).startswith(b"PK")


def test_given_a_queued_job_then_its_page_refreshes_itself(owner_client, answered):
    job = Job.objects.create(public_id="JQUEUED", study=answered, kind="report")
    page = owner_client.get(reverse("console:job", args=[answered.slug, job.public_id]))
    assert '<meta http-equiv="refresh" content="3">' in page.content.decode()
    assert b"<strong>Queued.</strong>" in page.content
    result = owner_client.get(reverse("console:job_result", args=[answered.slug, job.public_id]))
    assert result.status_code == 404


def test_given_bad_requests_then_the_console_answers_4xx_with_reasons(owner_client, answered):
    start = reverse("console:job_start", args=[answered.slug])
    unknown = owner_client.post(start, {"kind": "lottery"})
    assert unknown.status_code == 400
    assert b"Choose what to start: a report, an export bundle or a power run." in unknown.content
    power = owner_client.post(start, {"kind": "power", "n": "50", "sims": "5000"})
    assert power.status_code == 400
    assert b"The power run was not started: sims must be from 1 to 2000, got 5000." in power.content
    assert b'value="5000"' in power.content  # what was typed is kept
    assert owner_client.get(start).status_code == 405
    other = gaube_study(owner=UserFactory(username="elsewhere"))
    foreign = Job.objects.create(public_id="JOTHER", study=other, kind="report")
    missing = owner_client.get(reverse("console:job", args=[answered.slug, foreign.public_id]))
    assert missing.status_code == 404
    assert not Job.objects.filter(study=answered).exists()


def test_given_a_viewer_then_jobs_are_visible_and_reading_jobs_may_be_started(client, answered):
    viewer = UserFactory(username="job-viewer")
    StudyMembership.objects.create(study=answered, user=viewer, role="viewer")
    client.force_login(viewer)
    assert client.get(reverse("console:jobs", args=[answered.slug])).status_code == 200
    response = client.post(reverse("console:job_start", args=[answered.slug]), {"kind": "export"})
    assert response.status_code == 302
    assert Job.objects.get(study=answered).requested_by == viewer
