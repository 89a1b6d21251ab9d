"""study/api/audit.py: the study's audit log, newest first, filtered by action (or an action
prefix), actor, participant and time; only the study's own events."""

from datetime import timedelta

import pytest
from django.utils import timezone

from study import services
from study.models import AuditEvent
from tests.factories import UserFactory, enrolled_participant, gaube_study
from tests.study.api.api_world import member, token_client

pytestmark = pytest.mark.django_db


def _actions(client, url, **query) -> list[str]:
    response = client.get(url, query)
    assert response.status_code == 200, response.json()
    return [event["action"] for event in response.json()["results"]]


def test_given_events_then_they_are_listed_newest_first_and_filtered():
    owner = UserFactory(username="pi")
    study = gaube_study(owner=owner, open_study=False)
    services.study_open(study=study, actor=owner)
    participant = enrolled_participant(study)
    services.participant_withdraw(
        participant=participant, actor=owner, by="researcher", reason="Asked by phone."
    )
    gaube_study(owner=owner, slug="other", open_study=False)
    client = token_client(member(study, "statistician", "viewer"))
    url = f"/api/studies/{study.slug}/audit/"

    everything = client.get(url).json()["results"]

    assert everything == [
        {
            "time": everything[0]["time"],
            "actor": "pi",
            "action": "participant.withdrawn",
            "participant": participant.public_id,
            "detail": everything[0]["detail"],
        },
        *everything[1:],
    ]
    assert everything[-1]["action"] == "study.open"
    assert _actions(client, url, action="study.open") == ["study.open"]
    assert _actions(client, url, action="participant.")[0] == "participant.withdrawn"
    assert _actions(client, url, participant=participant.public_id)[0] == "participant.withdrawn"
    assert set(_actions(client, url, actor="pi")) == {"study.open", "participant.withdrawn"}
    assert _actions(client, url, actor="nobody") == []


def test_given_a_time_window_then_only_its_events():
    owner = UserFactory(username="pi")
    study = gaube_study(owner=owner, open_study=False)
    services.study_open(study=study, actor=owner)
    opened = AuditEvent.objects.get(study=study, action="study.open").created_at
    client = token_client(owner)
    url = f"/api/studies/{study.slug}/audit/"
    just_after = (opened + timedelta(microseconds=1)).isoformat()

    assert _actions(client, url, since=opened.isoformat(), until=just_after) == ["study.open"]
    assert _actions(client, url, since=just_after) == []
    assert _actions(client, url, until=(timezone.now() - timedelta(days=1)).isoformat()) == []
