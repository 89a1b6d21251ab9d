"""Issue 12's "Done when", as a script holding only an API token would do it: create a study
from the Gaube 2021 template, upload the demo's cases, open it, create 40 invitations, (the 40
participants answer: through the services here, run_bots in the full drill), download the
export bundle and the report (jobs, eager without a broker), and load the bundle's trials.csv
with analysis.data unchanged. A viewer's token sees all of it and can change none of it."""

import io
import zipfile
from urllib.parse import urlsplit

import pytest

from analysis.data import load_trials
from study import selectors, services
from study.models import Participant, Study
from tests.factories import INTERNIST, RADIOLOGIST, UserFactory, answer_all
from tests.study.api.api_world import demo_archive, study_starter, token_client, upload

pytestmark = pytest.mark.django_db


def _answer_as_a_participant(link: str, screening) -> None:
    token = urlsplit(link).path.split("/")[2]
    participant = selectors.participant_by_token(token=token)
    participant = services.participant_consent(participant=participant, agreed=True)
    participant = services.participant_enrol(participant=participant, screening=screening)
    answer_all(participant)


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_given_only_a_token_then_a_study_runs_from_template_to_report(tmp_path):
    pi = study_starter("pi")
    api = token_client(pi)

    created = api.post(
        "/api/studies/",
        {"template": "gaube2021", "title": "Multi-site advice", "slug": "multi-site"},
        format="json",
    )
    assert created.status_code == 201
    imported = upload(api, "multi-site", demo_archive("gaube2021"))
    assert imported.status_code == 201, imported.json()
    assert imported.json()["needs_review"] == []
    cases = api.get("/api/studies/multi-site/cases/").json()
    assert cases["count"] == imported.json()["imported"] == 8
    opened = api.post("/api/studies/multi-site/open/")
    assert (opened.status_code, opened.json()["status"]) == (200, "recruiting")
    invited = api.post(
        "/api/studies/multi-site/invitations/", {"count": 40, "label_prefix": "UKE"}, format="json"
    )
    assert invited.status_code == 201
    links = [invitation["link"] for invitation in invited.json()["invitations"]]
    assert len(links) == 40

    for number, link in enumerate(links):
        _answer_as_a_participant(link, RADIOLOGIST if number % 2 else INTERNIST)

    listed = api.get("/api/studies/multi-site/participants/", {"status": "in_progress"}).json()
    assert listed["count"] == 40
    export = api.post("/api/studies/multi-site/jobs/", {"kind": "export"}, format="json").json()
    assert export["status"] == "done", export["message"]
    bundle = zipfile.ZipFile(io.BytesIO(_body(api.get(export["result_url"]))))
    trials_csv = tmp_path / "trials.csv"
    trials_csv.write_bytes(bundle.read("trials.csv"))
    trials = load_trials(trials_csv)
    assert len(trials) == 40 * 8
    assert trials["participant"].nunique() == 40
    report = api.post("/api/studies/multi-site/jobs/", {"kind": "report"}, format="json").json()
    assert report["status"] == "done", report["message"]
    assert (report["result"]["trials"], report["result"]["participants"]) == (320, 40)
    assert b"<html" in _body(api.get(report["result_url"]))

    # A viewer colleague reads everything and changes nothing.
    viewer = UserFactory(username="statistician")
    study = Study.objects.get(slug="multi-site")
    services.membership_add(study=study, actor=pi, username="statistician", role="viewer")
    colleague = token_client(viewer)
    assert colleague.get("/api/studies/multi-site/progress/").json()["enrolled"] == 40
    assert colleague.get("/api/studies/multi-site/audit/").status_code == 200
    refused = [
        colleague.post("/api/studies/multi-site/close/").status_code,
        colleague.post(
            "/api/studies/multi-site/invitations/", {"count": 1}, format="json"
        ).status_code,
        upload(colleague, "multi-site", demo_archive("gaube2021")).status_code,
    ]
    assert refused == [403, 403, 403]
    assert Participant.objects.filter(study__slug="multi-site").count() == 40
