"""Researcher API: membership decides what is visible; the OpenAPI schema describes it."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory, answer_all, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


def test_given_no_login_then_the_api_asks_for_a_token(client):
    response = client.get(reverse("api:studies"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_given_a_member_then_only_their_studies_are_listed(client):
    owner = UserFactory(username="owner")
    mine = gaube_study(owner=owner)
    gaube_study(owner=UserFactory(username="other"))
    client.force_login(owner)

    response = client.get(reverse("api:studies"))

    assert [study["slug"] for study in response.json()["results"]] == [mine.slug]
    assert response.json()["results"][0]["arms"][0]["label"] == "CHEST-AI"


def test_given_progress_then_it_matches_the_enrolments(client):
    owner = UserFactory(username="owner")
    study = gaube_study(owner=owner)
    participant = enrolled_participant(study)
    answer_all(participant)
    client.force_login(owner)

    progress = client.get(reverse("api:progress", args=[study.slug])).json()

    assert (progress["enrolled"], progress["answered_trials"]) == (1, 8)
    assert progress["cells"] == [
        {
            "stratum": "radiology",
            "arm": participant.arm.code,
            "enrolled": 1,
            "in_progress": 1,
            "completed": 0,
            "withdrawn": 0,
        }
    ]


def test_given_a_stranger_then_a_study_is_not_found(client):
    study = gaube_study(owner=UserFactory(username="owner"))
    client.force_login(UserFactory(username="stranger"))
    assert client.get(reverse("api:study", args=[study.slug])).status_code == 404
    assert client.get(reverse("api:progress", args=[study.slug])).status_code == 404
    assert client.get(reverse("api:cases", args=[study.slug])).status_code == 404


def test_given_the_schema_then_every_endpoint_is_described(client):
    client.force_login(UserFactory(username="owner"))
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = schema.json()["paths"]
    assert set(paths) >= {
        "/api/studies/",
        "/api/studies/{slug}/",
        "/api/studies/{slug}/cases/",
        "/api/studies/{slug}/progress/",
    }


def test_given_a_translated_panel_study_then_the_api_shows_its_languages_and_panel(client):
    from study.models import Study, StudyMembership
    from tests.study.translated_studies import translated_study

    study = translated_study(lambda text: f"DE {text}", open_study=False)
    Study.objects.filter(pk=study.pk).update(
        panel_id_param="PROLIFIC_PID",
        panel_session_params=["STUDY_ID", "SESSION_ID"],
        completion_url="https://app.prolific.com/submissions/complete?cc={code}",
    )
    owner = StudyMembership.objects.get(study=study).user
    client.force_login(owner)

    found = client.get(reverse("api:study", args=[study.slug])).json()

    assert found["language"] == "en"
    assert found["translations"]["de"]["title"] == f"DE {study.title}"
    assert found["translations"]["de"]["arms"]["ai"]["label"] == "DE CHEST-AI"
    assert (found["panel_id_param"], found["panel_session_params"]) == (
        "PROLIFIC_PID",
        ["STUDY_ID", "SESSION_ID"],
    )
    assert found["completion_url"].endswith("cc={code}")
    assert found["screenout_url"] == ""
