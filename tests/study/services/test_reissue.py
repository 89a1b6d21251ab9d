"""Abandoned slots: never reused by default; with the study option, the slot of a participant who
answered nothing in time goes to the next enrolment of the stratum, logged (DESIGN.md 4)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from study import services
from study.models import AuditEvent, Participant
from tests.factories import enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


def _abandon(participant, minutes: int) -> None:
    Participant.objects.filter(pk=participant.pk).update(
        enrolled_at=timezone.now() - timedelta(minutes=minutes)
    )


def _case_order(participant) -> list[str]:
    return list(participant.trials.order_by("position").values_list("case__code", flat=True))


def test_given_the_default_then_an_abandoned_slot_is_never_reused():
    study = gaube_study()
    first = enrolled_participant(study)
    _abandon(first, minutes=10_000)

    second = enrolled_participant(study)

    assert (first.slot, second.slot) == (0, 1)


def test_given_the_option_then_the_abandoned_slot_goes_to_the_next_enrolment_unchanged():
    study = gaube_study(reissue_after_minutes=60)
    first = enrolled_participant(study)
    order, arm = _case_order(first), first.arm_id
    _abandon(first, minutes=61)

    second = enrolled_participant(study)

    first.refresh_from_db()
    assert (second.slot, second.arm_id, _case_order(second)) == (0, arm, order)
    assert (first.slot, first.status) == (None, Participant.Status.REISSUED)
    assert not first.trials.exists()
    event = AuditEvent.objects.get(action="participant.slot_reissued")
    assert event.detail == {"stratum": "radiology", "slot": 0, "to": second.public_id}
    assert enrolled_participant(study).slot == 1  # the counter was not advanced by the reissue


def test_given_a_recent_or_answering_participant_then_their_slot_is_kept():
    study = gaube_study(reissue_after_minutes=60)
    recent = enrolled_participant(study)
    answering = enrolled_participant(study)
    _abandon(answering, minutes=120)
    trial = services.trial_show(trial=answering.trials.get(position=1))
    services.response_record(trial=trial, answer=services.Answer(4, "modify", "normal", 4))

    newcomer = enrolled_participant(study)

    assert newcomer.slot == 2
    recent.refresh_from_db()
    answering.refresh_from_db()
    assert (recent.slot, answering.slot) == (0, 1)


def test_given_a_reissued_participant_when_they_return_then_they_are_told(client):
    study = gaube_study(reissue_after_minutes=5)
    first = enrolled_participant(study)
    _abandon(first, minutes=6)
    enrolled_participant(study)

    page = client.get(reverse("participant:entry", args=[first.token]), follow=True)

    assert "Your place in this study was given to another participant" in page.content.decode()
    stale = client.post(reverse("participant:trial", args=[first.token, 1]), {"decision": "accept"})
    assert stale.status_code == 302


def test_given_the_builder_then_the_team_sets_the_reissue_time(client):
    from django.contrib.auth.models import Permission

    from study.console.forms import study_settings_initial
    from tests.factories import UserFactory

    owner = UserFactory(username="owner")
    owner.user_permissions.add(Permission.objects.get(codename="add_study"))
    study = gaube_study(owner=owner, open_study=False)
    client.force_login(owner)
    data = {
        name: "" if value is None else str(value)
        for name, value in study_settings_initial(study).items()
        if value is not False
    }

    response = client.post(
        reverse("console:design", args=[study.slug]), {**data, "reissue_after_minutes": "90"}
    )

    assert response.status_code == 302
    study.refresh_from_db()
    assert study.reissue_after_minutes == 90
    assert AuditEvent.objects.get(study=study, action="study.edit").detail["fields"] == [
        "reissue_after_minutes"
    ]
