"""Console study page: dropout by step, abandoned sessions, and the abandonment threshold on the
recruitment settings (WRITE role; a bad value is a 400 that says why)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from study import services
from study.models import Participant, StudyMembership
from tests.factories import UserFactory, answer_all, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


def test_given_a_quiet_participant_then_the_study_page_counts_them_abandoned_at_their_step(
    owner_client, owner
):
    study = gaube_study(owner=owner)
    quiet = enrolled_participant(study)
    answer_all(enrolled_participant(study))
    services.participant_withdraw(participant=enrolled_participant(study), by="participant")
    Participant.objects.filter(pk=quiet.pk).update(
        last_seen_at=timezone.now() - timedelta(minutes=24 * 60 + 1)
    )

    page = owner_client.get(reverse("console:study", args=[study.slug]))

    progress = page.context["progress"]
    assert progress["dropout"]["screened_no_trial_answered"] == 1
    assert progress["dropout"]["part_way"] == 1
    assert progress["dropout"]["withdrawn"] == 1
    assert progress["abandoned"]["screened_no_trial_answered"] == 1
    body = page.content.decode()
    assert "abandoned means no activity for more than 1440 minutes" in body
    assert (
        '<tr><th scope="row">Screened, no case answered</th><td class="num">1</td>'
        '<td class="num">1</td></tr>'
    ) in body
    assert '<tr><th scope="row">Withdrawn</th><td class="num">1</td><td>–</td></tr>' in body
    assert 'value="1440"' in body


def test_given_an_owner_when_the_threshold_is_saved_then_the_page_uses_it(owner_client, owner):
    study = gaube_study(owner=owner)

    response = owner_client.post(
        reverse("console:abandon_threshold", args=[study.slug]),
        {"abandon_after_minutes": "45"},
        follow=True,
    )

    study.refresh_from_db()
    assert study.abandon_after_minutes == 45
    assert response.redirect_chain[-1] == (reverse("console:study", args=[study.slug]), 302)
    assert "Abandonment threshold saved." in response.content.decode()
    assert response.context["progress"]["abandon_after_minutes"] == 45


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0", "must be a whole number of minutes from 1 to 525600 (365 days), got 0"),
        ("", "give a whole number of minutes, got &#x27;&#x27;"),
        ("ten", "give a whole number of minutes, got &#x27;ten&#x27;"),
        (
            "99999999999999",
            "must be a whole number of minutes from 1 to 525600 (365 days), got 99999999999999",
        ),
        ("1" * 19, f"give a whole number of minutes, got &#x27;{'1' * 19}&#x27;"),
    ],
)
def test_given_a_bad_threshold_then_400_says_why_and_nothing_changes(
    owner_client, owner, raw, message
):
    study = gaube_study(owner=owner)

    response = owner_client.post(
        reverse("console:abandon_threshold", args=[study.slug]), {"abandon_after_minutes": raw}
    )

    assert response.status_code == 400
    assert f"Threshold not saved: abandon threshold: {message}" in response.content.decode()
    study.refresh_from_db()
    assert study.abandon_after_minutes == 1440


def test_given_a_viewer_then_the_threshold_is_403_and_a_stranger_404(client):
    study = gaube_study(owner=UserFactory(username="owner"))
    viewer = UserFactory(username="viewer")
    StudyMembership.objects.create(study=study, user=viewer, role="viewer")
    url = reverse("console:abandon_threshold", args=[study.slug])

    client.force_login(viewer)
    as_viewer = client.post(url, {"abandon_after_minutes": "5"})
    client.force_login(UserFactory(username="stranger"))
    as_stranger = client.post(url, {"abandon_after_minutes": "5"})

    assert (as_viewer.status_code, as_stranger.status_code) == (403, 404)
    study.refresh_from_db()
    assert study.abandon_after_minutes == 1440
