"""A bundle made by a background job (study.console.views.jobs) follows the free-text rule: an
owner's holds the free-text answers and a viewer may not download it; a viewer's own leaves
them out (study.permissions.job_result_allowed)."""

import io
import zipfile

import pytest
from django.urls import reverse

from study import permissions, services
from study.models import Job, StudyMembership
from tests.factories import UserFactory, answer_all, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db

ITEMS = [{"code": "notes", "wording": "Anything else?", "type": "text", "required": False}]


@pytest.fixture
def study():
    study = gaube_study(slug="jobs-free-text", questionnaire_items=ITEMS)
    participant = enrolled_participant(study)
    answer_all(participant)
    services.questionnaire_record(participant=participant, answers={"notes": "Dr Who, ward 3"})
    services.participant_complete(participant=participant, withdraw=False)
    return study


def _member(study, role: str):
    user = UserFactory(username=role)
    StudyMembership.objects.create(study=study, user=user, role=role)
    return user


def _export_job(client, study) -> Job:
    started = client.post(reverse("console:job_start", args=[study.slug]), {"kind": "export"})
    assert started.status_code == 302
    return Job.objects.filter(study=study, kind=Job.Kind.EXPORT).latest("created_at")


def _participants_header(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as bundle:
        return bundle.read("participants.csv").decode().splitlines()[0]


def test_a_viewer_may_not_download_an_owners_bundle_with_free_text(client, study):
    owner, viewer = _member(study, "owner"), _member(study, "viewer")
    client.force_login(owner)
    job = _export_job(client, study)
    assert (job.status, job.result["free_text"]) == (Job.Status.DONE, True)
    url = reverse("console:job_result", args=[study.slug, job.public_id])
    assert _participants_header(client.get(url).getvalue()).endswith(",q_notes")
    client.force_login(viewer)
    refused = client.get(url)
    assert refused.status_code == 403
    assert (
        "This export holds free-text answers, which viewers of this study may not download: "
        "start an export of your own (it leaves them out)." in refused.content.decode()
    )


def test_a_viewers_own_bundle_leaves_free_text_out_and_anyone_of_the_team_may_fetch_it(
    client, study
):
    owner, viewer = _member(study, "owner"), _member(study, "viewer")
    client.force_login(viewer)
    job = _export_job(client, study)
    assert job.result["free_text"] is False
    url = reverse("console:job_result", args=[study.slug, job.public_id])
    header = _participants_header(client.get(url).getvalue())
    assert header.endswith(",synthetic")
    client.force_login(owner)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("kind", "result", "role", "switch", "allowed"),
    [
        (Job.Kind.EXPORT, {"free_text": True}, "viewer", False, False),
        (Job.Kind.EXPORT, {"free_text": True}, "viewer", True, True),
        (Job.Kind.EXPORT, {"free_text": True}, "collaborator", False, True),
        (Job.Kind.EXPORT, {"free_text": False}, "viewer", False, True),
        (Job.Kind.EXPORT, {}, "viewer", False, False),  # a result that does not say
        (Job.Kind.REPORT, {}, "viewer", False, True),
    ],
)
def test_job_result_allowed(study, kind, result, role, switch, allowed):
    study.viewers_may_export_free_text = switch
    study.save()
    job = Job.objects.create(public_id=f"job-{kind}", study=study, kind=kind, result=result)
    user = _member(study, role)
    assert permissions.job_result_allowed(job=job, user=user) is allowed


def test_the_jobs_page_links_a_viewer_only_to_the_results_the_viewer_may_download(client, study):
    owner, viewer = _member(study, "owner"), _member(study, "viewer")
    client.force_login(owner)
    owners = _export_job(client, study)
    client.force_login(viewer)
    viewers = _export_job(client, study)
    page = client.get(reverse("console:jobs", args=[study.slug])).content.decode()
    assert f'href="/console/studies/{study.slug}/jobs/{viewers.public_id}/result/"' in page
    assert f"/jobs/{owners.public_id}/result/" not in page
    assert page.count("(holds free-text answers, which viewers may not download)") == 1
    assert '<p class="hint" id="free-text-note">Your exports leave out' in page
    client.force_login(owner)
    page = client.get(reverse("console:jobs", args=[study.slug])).content.decode()
    assert f"/jobs/{owners.public_id}/result/" in page
    assert "which viewers may not download" not in page
    assert "free-text-note" not in page
