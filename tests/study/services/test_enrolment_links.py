"""Open self-enrolment links and per-stratum quotas."""

import pytest
from django.urls import reverse

from study import services
from study.models import AuditEvent, Participant
from tests.factories import INTERNIST, RADIOLOGIST, UserFactory, gaube_study

pytestmark = pytest.mark.django_db


def _consented_via_link(client, study):
    link = reverse("participant:open_link", args=[study.self_enrolment_token])
    response = client.post(link)
    participant = Participant.objects.get(token=response["Location"].split("/")[2])
    services.participant_consent(participant=participant, agreed=True)
    return participant


def test_given_an_open_link_when_visited_then_get_creates_nobody_and_post_starts_a_participant(
    client,
):
    study = services.self_enrolment_enable(study=gaube_study())
    link = reverse("participant:open_link", args=[study.self_enrolment_token])

    page = client.get(link)
    assert page.status_code == 200
    assert study.participants.count() == 0

    response = client.post(link)

    participant = study.participants.get()
    assert response["Location"] == reverse("participant:entry", args=[participant.token])
    assert AuditEvent.objects.filter(action="participant.self_enrol").count() == 1


def test_given_a_disabled_link_then_it_is_gone(client):
    study = services.self_enrolment_enable(study=gaube_study())
    token = study.self_enrolment_token
    services.self_enrolment_disable(study=study)
    assert client.get(reverse("participant:open_link", args=[token])).status_code == 404


def test_given_a_closed_study_then_the_open_link_says_it_is_not_recruiting(client):
    study = services.self_enrolment_enable(study=gaube_study())
    services.study_close(study=study)
    response = client.post(reverse("participant:open_link", args=[study.self_enrolment_token]))
    assert response.status_code == 403
    assert study.participants.count() == 0


def test_given_a_quota_when_the_stratum_is_full_then_the_next_one_is_turned_away(client):
    study = services.self_enrolment_enable(study=gaube_study())
    study = services.stratum_quotas_set(study=study, quotas={"radiology": 2, "non_radiology": None})
    enrolled = [
        services.participant_enrol(
            participant=_consented_via_link(client, study), screening=RADIOLOGIST
        )
        for _ in range(3)
    ]
    other = services.participant_enrol(
        participant=_consented_via_link(client, study), screening=INTERNIST
    )

    assert [p.slot for p in enrolled] == [0, 1, None]
    assert enrolled[2].status == Participant.Status.STRATUM_FULL
    assert not enrolled[2].trials.exists()
    assert other.slot == 0
    page = client.get(reverse("participant:entry", args=[enrolled[2].token]), follow=True)
    assert "already has all the participants it needs" in page.content.decode()


@pytest.mark.parametrize(
    ("quotas", "message"),
    [
        ({"cardiology": 5}, "quota for 'cardiology': not a stratum of this study"),
        ({"radiology": -1}, "quota for 'radiology': must be a whole number >= 0, got -1"),
        ({"radiology": "many"}, "quota for 'radiology': must be a whole number >= 0, got 'many'"),
    ],
)
def test_given_bad_quotas_then_the_error_names_the_stratum(quotas, message):
    study = gaube_study()
    with pytest.raises(ValueError) as raised:
        services.stratum_quotas_set(study=study, quotas=quotas)
    assert str(raised.value) == message


def test_given_the_console_then_the_owner_sets_quotas_and_the_link(client):
    owner = UserFactory(username="owner")
    study = gaube_study(owner=owner)
    client.force_login(owner)

    client.post(reverse("console:link_toggle", args=[study.slug]), {"enable": "1"})
    client.post(
        reverse("console:quotas", args=[study.slug]),
        {"quota-radiology": "138", "quota-non_radiology": ""},
    )
    page = client.get(reverse("console:study", args=[study.slug])).content.decode()

    study.refresh_from_db()
    assert study.stratum_quotas == {"radiology": 138}
    assert study.self_enrolment_token in page
    assert 'value="138"' in page
    bad = client.post(
        reverse("console:quotas", args=[study.slug]), {"quota-radiology": "-3"}, follow=True
    )
    assert "Quotas not saved: quota for &#x27;radiology&#x27;" in bad.content.decode()


def test_given_a_viewer_then_the_link_cannot_be_changed(client):
    study = gaube_study(owner=UserFactory(username="owner"))
    viewer = UserFactory(username="viewer")
    study.memberships.create(user=viewer, role="viewer")
    client.force_login(viewer)
    response = client.post(reverse("console:link_toggle", args=[study.slug]), {"enable": "1"})
    assert response.status_code == 403
    study.refresh_from_db()
    assert study.self_enrolment_token is None
