"""GET /api/studies/<slug>/progress/: dropout by step and abandoned sessions, as on the console."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from study import services
from study.models import Participant
from tests.factories import UserFactory, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


def test_given_participants_at_several_steps_then_progress_reports_each_step_and_abandoned(
    client,
):
    owner = UserFactory(username="owner")
    study = gaube_study(owner=owner, abandon_after_minutes=30)
    (invited, declining) = services.invitations_create(study=study, count=2)
    services.participant_consent(participant=declining, agreed=False)
    quiet = enrolled_participant(study)
    services.participant_withdraw(participant=enrolled_participant(study), by="participant")
    Participant.objects.filter(pk=quiet.pk).update(
        last_seen_at=timezone.now() - timedelta(minutes=31)
    )
    client.force_login(owner)

    progress = client.get(reverse("api:progress", args=[study.slug])).json()

    assert progress["dropout"] == {
        "not_consented": 1,
        "consented_not_screened": 0,
        "screened_no_trial_answered": 1,
        "part_way": 0,
        "completed": 0,
        "withdrawn": 1,
        "declined": 1,
        "screened_out": 0,
        "stratum_full": 0,
        "reissued": 0,
    }
    assert progress["abandoned"] == {
        "total": 1,
        "not_consented": 0,
        "consented_not_screened": 0,
        "screened_no_trial_answered": 1,
        "part_way": 0,
    }
    assert progress["abandon_after_minutes"] == 30
    assert invited.status == "invited"
