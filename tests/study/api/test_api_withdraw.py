"""POST /api/studies/<slug>/participants/<public_id>/withdraw/: a researcher's withdrawal with a
reason, as in the console (WRITE role; 400 without a reason, 404 outside the study)."""

import pytest
from django.urls import reverse

from study import services
from study.models import AuditEvent, Participant, StudyMembership
from tests.factories import UserFactory, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db

REASON_REQUIRED = "Give the reason for this withdrawal: it is kept with the participant's record."


@pytest.fixture
def owner():
    return UserFactory(username="owner")


@pytest.fixture
def api(client, owner):
    client.force_login(owner)
    return client


def _withdraw(api, study, public_id: str, **data):
    return api.post(
        reverse("api:participant_withdraw", args=[study.slug, public_id]),
        data,
        content_type="application/json",
    )


def test_given_a_reason_then_the_participant_is_withdrawn_and_the_record_is_returned(api, owner):
    study = gaube_study(owner=owner)
    participant = enrolled_participant(study)

    response = _withdraw(api, study, participant.public_id, reason="Asked by phone.")

    assert response.status_code == 200
    participant.refresh_from_db()
    body = response.json()
    assert body == {
        "participant": participant.public_id,
        "status": "withdrawn",
        "withdrawn_at": body["withdrawn_at"],
        "withdrawn_step": "trial",
        "withdrawn_by": "researcher",
        "withdrawal_reason": "Asked by phone.",
    }
    assert body["withdrawn_at"].startswith(participant.withdrawn_at.strftime("%Y-%m-%dT%H:%M"))
    assert participant.status == Participant.Status.WITHDRAWN
    event = AuditEvent.objects.get(action="participant.withdrawn")
    assert (event.actor, event.detail) == (owner, {"step": "trial", "by": "researcher"})


@pytest.mark.parametrize("data", [{}, {"reason": ""}, {"reason": "  "}])
def test_given_no_reason_then_400_says_a_reason_is_required(api, owner, data):
    study = gaube_study(owner=owner)
    participant = enrolled_participant(study)

    response = _withdraw(api, study, participant.public_id, **data)

    assert response.status_code == 400
    assert response.json() == {"reason": [REASON_REQUIRED]}
    participant.refresh_from_db()
    assert participant.status == Participant.Status.IN_PROGRESS


def test_given_a_repeat_then_the_first_record_is_returned_and_one_event_kept(api, owner):
    study = gaube_study(owner=owner)
    participant = enrolled_participant(study)
    _withdraw(api, study, participant.public_id, reason="first")

    again = _withdraw(api, study, participant.public_id, reason="second")

    assert again.status_code == 200
    assert again.json()["withdrawal_reason"] == "first"
    assert AuditEvent.objects.filter(action="participant.withdrawn").count() == 1


def test_given_a_viewer_then_403_and_a_stranger_404(client, owner):
    study = gaube_study(owner=owner)
    participant = enrolled_participant(study)
    viewer = UserFactory(username="viewer")
    StudyMembership.objects.create(study=study, user=viewer, role="viewer")

    client.force_login(viewer)
    as_viewer = _withdraw(client, study, participant.public_id, reason="viewer")
    client.force_login(UserFactory(username="stranger"))
    as_stranger = _withdraw(client, study, participant.public_id, reason="stranger")

    assert as_viewer.status_code == 403
    assert as_viewer.json() == {
        "detail": f"Your role in study '{study.slug}' (viewer) does not allow this."
    }
    assert (as_stranger.status_code, as_stranger.json()) == (
        404,
        {"detail": "No such study for this account."},
    )
    participant.refresh_from_db()
    assert participant.status == Participant.Status.IN_PROGRESS


def test_given_an_unknown_or_declined_participant_then_404_or_409_with_the_reason(api, owner):
    study = gaube_study(owner=owner)
    (declined,) = services.invitations_create(study=study, count=1)
    services.participant_consent(participant=declined, agreed=False)

    unknown = _withdraw(api, study, "PNOSUCHONE", reason="x")
    refused = _withdraw(api, study, declined.public_id, reason="x")

    assert (unknown.status_code, unknown.json()) == (
        404,
        {"detail": "No such participant in this study."},
    )
    assert (refused.status_code, refused.json()) == (
        409,
        {
            "detail": f"Participant {declined.public_id} declined to take part: "
            "there is nothing to withdraw."
        },
    )


def test_given_the_schema_then_the_withdrawal_endpoint_is_described(api):
    schema = api.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    operation = schema["paths"]["/api/studies/{slug}/participants/{public_id}/withdraw/"]["post"]

    assert set(operation["responses"]) == {"200", "400", "401", "403", "404", "409", "415"}
