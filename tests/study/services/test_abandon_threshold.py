"""abandon_threshold_set: whole minutes from 1 to 365 days, audited when it changes."""

import pytest

from study.models import AuditEvent
from study.services.enrolment import abandon_threshold_set
from tests.factories import UserFactory, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


def test_given_a_locked_design_when_the_threshold_changes_then_it_is_saved_and_audited():
    owner = UserFactory(username="owner")
    study = gaube_study(owner=owner)
    enrolled_participant(study)  # the design is locked; recruitment settings still change

    study = abandon_threshold_set(study=study, minutes=90, actor=owner)
    abandon_threshold_set(study=study, minutes=90, actor=owner)  # unchanged: no second event

    study.refresh_from_db()
    assert study.abandon_after_minutes == 90
    (event,) = AuditEvent.objects.filter(action="abandon_threshold.set")
    assert (event.actor, event.detail) == (owner, {"minutes": 90, "before": 1440})


@pytest.mark.parametrize("minutes", [0, -5, 525_601, True, 1.5, "60"])
def test_given_a_bad_threshold_then_the_error_says_what_is_allowed(minutes):
    study = gaube_study()

    with pytest.raises(ValueError) as refusal:
        abandon_threshold_set(study=study, minutes=minutes, actor=None)

    assert str(refusal.value) == (
        "abandon threshold: must be a whole number of minutes from 1 to 525600 (365 days), "
        f"got {minutes!r}"
    )
    study.refresh_from_db()
    assert study.abandon_after_minutes == 1440
    assert not AuditEvent.objects.filter(action="abandon_threshold.set").exists()
