"""study/api/writes.py: opening and closing recruitment and creating invitation links, with
WRITE (owner, collaborator), each audited, the links only in the answer to their creation."""

import pytest

from study.models import AuditEvent, Participant
from tests.factories import UserFactory, gaube_study
from tests.study.api.api_world import member, token_client

pytestmark = pytest.mark.django_db


def test_given_a_ready_draft_then_open_starts_recruiting_and_close_ends_it():
    owner = UserFactory(username="pi")
    study = gaube_study(owner=owner, open_study=False)
    client = token_client(member(study, "coordinator", "collaborator"))

    opened = client.post(f"/api/studies/{study.slug}/open/")
    closed = client.post(f"/api/studies/{study.slug}/close/")

    assert (opened.status_code, opened.json()["status"]) == (200, "recruiting")
    assert (closed.status_code, closed.json()["status"]) == (200, "closed")
    actions = AuditEvent.objects.filter(study=study, actor__username="coordinator")
    assert list(actions.order_by("id").values_list("action", flat=True)) == [
        "study.open",
        "study.close",
    ]


def test_given_a_closed_study_then_open_is_409_saying_why():
    owner = UserFactory(username="pi")
    study = gaube_study(owner=owner)
    client = token_client(owner)
    client.post(f"/api/studies/{study.slug}/close/")

    response = client.post(f"/api/studies/{study.slug}/open/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"The study cannot open: Study '{study.slug}' is closed and cannot be reopened."
    }


def test_given_a_draft_without_cases_then_open_is_409():
    owner = UserFactory(username="pi")
    study = gaube_study(owner=owner, open_study=False)
    study.cases.all().delete()

    response = token_client(owner).post(f"/api/studies/{study.slug}/open/")

    assert response.status_code == 409
    assert response.json()["detail"].startswith("The study cannot open: ")


def test_given_invitations_then_201_with_labelled_links_that_open_the_study(client):
    owner = UserFactory(username="pi")
    study = gaube_study(owner=owner)
    api = token_client(owner)

    first = api.post(
        f"/api/studies/{study.slug}/invitations/",
        {"count": 2, "label_prefix": "UKE"},
        format="json",
    )
    second = api.post(
        f"/api/studies/{study.slug}/invitations/",
        {"count": 1, "label_prefix": "UKE"},
        format="json",
    )

    assert first.status_code == 201
    assert first["Cache-Control"] == "private, no-store"
    body = first.json()
    assert body["count"] == 2
    assert [i["label"] for i in body["invitations"]] == ["UKE-001", "UKE-002"]
    assert [i["label"] for i in second.json()["invitations"]] == ["UKE-003"]
    participants = {p.public_id: p for p in Participant.objects.filter(study=study)}
    for invitation in body["invitations"]:
        token = participants[invitation["public_id"]].token
        assert invitation["link"] == f"http://testserver/p/{token}/"
    entry = client.get(body["invitations"][0]["link"])
    assert (
        entry["Location"]
        == f"/p/{participants[body['invitations'][0]['public_id']].token}/consent/"
    )
    event = AuditEvent.objects.filter(action="invitations.create").first()
    assert event.detail == {
        "count": 1,
        "label_prefix": "UKE",
        "first": "UKE-003",
        "last": "UKE-003",
    }


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"count": ["This field is required."]}),
        ({"count": 0}, {"count": ["Ensure this value is greater than or equal to 1."]}),
        ({"count": 10001}, {"count": ["Ensure this value is less than or equal to 10000."]}),
        ({"count": "many"}, {"count": ["A valid integer is required."]}),
        (
            {"count": 1, "label_prefix": "a;b"},
            {
                "label_prefix": [
                    "A label prefix may contain letters, digits, spaces and . : / ( ) + - _ only."
                ]
            },
        ),
        (
            {"count": 1, "label_prefix": "x" * 93},
            {"label_prefix": ["A label prefix has at most 92 characters, got 93."]},
        ),
    ],
)
def test_given_bad_invitations_then_400_naming_the_field(body, errors):
    owner = UserFactory(username="pi")
    study = gaube_study(owner=owner)

    response = token_client(owner).post(
        f"/api/studies/{study.slug}/invitations/", body, format="json"
    )

    assert (response.status_code, response.json()) == (400, errors)
    assert not Participant.objects.filter(study=study).exists()


@pytest.mark.parametrize("action", ["open", "close", "invitations"])
def test_given_a_viewer_then_every_recruitment_write_is_403_and_nothing_changes(action):
    study = gaube_study(owner=UserFactory(username="pi"), open_study=False)
    client = token_client(member(study, "viewer", "viewer"))

    response = client.post(f"/api/studies/{study.slug}/{action}/", {"count": 1}, format="json")

    assert response.status_code == 403
    study.refresh_from_db()
    assert (study.status, study.participants.count()) == ("draft", 0)


def test_given_a_closed_study_then_invitations_are_409():
    owner = UserFactory(username="pi")
    study = gaube_study(owner=owner)
    client = token_client(owner)
    client.post(f"/api/studies/{study.slug}/close/")

    response = client.post(f"/api/studies/{study.slug}/invitations/", {"count": 1}, format="json")

    assert (response.status_code, response.json()) == (
        409,
        {"detail": f"The study '{study.slug}' is closed: a new link could not be used."},
    )
    assert not Participant.objects.filter(study=study).exists()
