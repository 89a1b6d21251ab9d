"""The API's downloads: the same tables and bundle as the console and the command line."""

import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest
from django.urls import reverse

from study import services
from study.models import AuditEvent
from tests.factories import UserFactory, answer_all, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_and_study(client):
    owner = UserFactory(username="owner")
    study = gaube_study(owner=owner, pilot_mode=True)
    answer_all(enrolled_participant(study))
    services.study_simulate(study=study, participants=2, rng=np.random.default_rng(1))
    client.force_login(owner)
    return owner, study


def _get(client, study, table, **query):
    return client.get(reverse("api:export", args=[study.slug, table]), query)


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_given_the_bundle_then_it_is_the_zip_with_its_manifest_and_audited(client, owner_and_study):
    owner, study = owner_and_study
    response = _get(client, study, "bundle")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(_body(response))) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
    assert manifest["codebook_version"] == "2"
    rows = {entry["file"]: entry["rows"] for entry in manifest["files"]}
    assert rows["trials.csv"] == 8  # the simulated participants are left out
    event = AuditEvent.objects.filter(study=study, action="export").latest("id")
    assert (event.actor, event.detail["via"], event.detail["table"]) == (owner, "api", "bundle")


def test_given_parquet_and_synthetic_asked_for_then_every_participant_is_there_and_marked(
    client, owner_and_study
):
    _, study = owner_and_study
    response = _get(client, study, "trials", file_format="parquet", include_synthetic="1")
    assert response.status_code == 200
    frame = pd.read_parquet(io.BytesIO(_body(response)))
    assert len(frame) == 24
    assert frame.groupby("participant")["synthetic"].first().value_counts().to_dict() == {
        True: 2,
        False: 1,
    }


@pytest.mark.parametrize(
    ("table", "query", "message"),
    [
        (
            "answers",
            {},
            {"table": "unknown table 'answers': choose one of trials, participants, cases, "
             "audit, allocation, bundle"},
        ),
        ("trials", {"file_format": "xlsx"}, {"file_format": "choose csv or parquet"}),
    ],
)  # fmt: skip
def test_given_a_bad_request_then_400_says_what_is_wrong(
    client, owner_and_study, table, query, message
):
    _, study = owner_and_study
    response = _get(client, study, table, **query)
    assert response.status_code == 400
    assert response.json() == message


def test_given_a_stranger_then_404(client, owner_and_study):
    _, study = owner_and_study
    client.force_login(UserFactory(username="stranger"))
    assert _get(client, study, "bundle").status_code == 404


@pytest.mark.parametrize("table", ["allocation", "bundle"])
def test_given_a_draft_with_too_few_cases_when_its_allocation_is_fetched_then_409_says_why(
    client, table
):
    owner = UserFactory(username="drafter")
    study = gaube_study(owner=owner, open_study=False, cases_per_participant=9)
    client.force_login(owner)

    response = _get(client, study, table)

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"no {table} export until the design can be allocated: cases_per_participant "
        "(9) exceeds the number of test cases in the pool (8)"
    }
