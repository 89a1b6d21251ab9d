"""study/api/participants.py's list: public id, label, status, stratum, arm, never the link
token; a stranger gets 404, an anonymous request 401."""

import pytest

from study import services
from tests.factories import UserFactory, enrolled_participant, gaube_study
from tests.study.api.api_world import member, token_client

pytestmark = pytest.mark.django_db


def test_given_participants_then_the_list_shows_their_public_fields_and_never_the_token():
    owner = UserFactory(username="pi")
    study = gaube_study(owner=owner)
    enrolled = enrolled_participant(study)
    (invited,) = services.links_create(study=study, count=1, label_prefix="UKE")
    client = token_client(member(study, "statistician", "viewer"))

    response = client.get(f"/api/studies/{study.slug}/participants/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [
        {key: row[key] for key in ("public_id", "label", "status", "stratum", "arm")}
        for row in rows
    ] == [
        {
            "public_id": enrolled.public_id,
            "label": "",
            "status": "in_progress",
            "stratum": "radiology",
            "arm": enrolled.arm.code,
        },
        {
            "public_id": invited.public_id,
            "label": "UKE-001",
            "status": "invited",
            "stratum": "",
            "arm": None,
        },
    ]
    assert set(rows[0]) == {
        "public_id",
        "label",
        "status",
        "stratum",
        "arm",
        "synthetic",
        "invited_at",
        "completed_at",
        "withdrawn_at",
        "revoked_at",
    }
    text = response.content.decode()
    assert enrolled.token not in text
    assert invited.token not in text


def test_given_a_stranger_or_no_one_then_404_and_401(client):
    study = gaube_study(owner=UserFactory(username="pi"))
    url = f"/api/studies/{study.slug}/participants/"

    stranger = token_client(UserFactory(username="x")).get(url)

    assert (stranger.status_code, stranger.json()) == (
        404,
        {"detail": "No such study for this account."},
    )
    assert client.get(url).status_code == 401
