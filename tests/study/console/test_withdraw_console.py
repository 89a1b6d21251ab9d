"""Console: a researcher withdraws a participant from the participants page, with a reason;
viewers may look but not withdraw, strangers do not see the study."""

import pytest
from django.urls import reverse

from study import services
from study.models import AuditEvent, Participant, StudyMembership
from tests.factories import UserFactory, answer_all, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db

REASON_REQUIRED = (
    "Give the reason for this withdrawal: it is kept with the participant&#x27;s record."
)


def _withdraw_url(study, participant) -> str:
    return reverse("console:participant_withdraw", args=[study.slug, participant.public_id])


def _member(study, role: str):
    user = UserFactory(username=role)
    StudyMembership.objects.create(study=study, user=user, role=role)
    return user


def test_given_an_owner_and_a_reason_when_they_withdraw_then_step_who_and_why_are_kept(
    owner_client, owner
):
    study = gaube_study(owner=owner)
    participant = enrolled_participant(study)
    answer_all(participant)

    response = owner_client.post(
        _withdraw_url(study, participant), {"reason": "Asked by e-mail on 3 May."}, follow=True
    )

    assert response.redirect_chain[-1] == (
        f"{reverse('console:participants', args=[study.slug])}?q={participant.public_id}",
        302,
    )
    participant.refresh_from_db()
    assert participant.status == Participant.Status.WITHDRAWN
    assert (participant.withdrawn_step, participant.withdrawn_by) == ("questionnaire", "researcher")
    assert participant.withdrawal_reason == "Asked by e-mail on 3 May."
    event = AuditEvent.objects.get(action="participant.withdrawn")
    assert (event.actor, event.detail) == (owner, {"step": "questionnaire", "by": "researcher"})
    body = response.content.decode()
    assert f"{participant.public_id} is withdrawn: their answers are left out of every export." in (
        body
    )
    assert "at step questionnaire, by the researcher: Asked by e-mail on 3 May." in body


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_given_no_reason_when_an_owner_withdraws_then_400_says_a_reason_is_required(
    owner_client, owner, reason
):
    study = gaube_study(owner=owner)
    participant = enrolled_participant(study)

    response = owner_client.post(
        _withdraw_url(study, participant), {} if reason is None else {"reason": reason}
    )

    assert response.status_code == 400
    assert f"{participant.public_id}: {REASON_REQUIRED}" in response.content.decode()
    participant.refresh_from_db()
    assert participant.status == Participant.Status.IN_PROGRESS
    assert not AuditEvent.objects.filter(action="participant.withdrawn").exists()


def test_given_a_viewer_then_they_see_the_list_without_forms_and_a_withdrawal_is_403(client):
    study = gaube_study(owner=UserFactory(username="owner"))
    participant = enrolled_participant(study)
    client.force_login(_member(study, "viewer"))

    page = client.get(reverse("console:participants", args=[study.slug]))
    response = client.post(_withdraw_url(study, participant), {"reason": "I am only a viewer"})

    assert page.status_code == 200
    assert participant.public_id in page.content.decode()
    assert 'name="reason"' not in page.content.decode()
    assert response.status_code == 403
    participant.refresh_from_db()
    assert participant.status == Participant.Status.IN_PROGRESS


def test_given_a_collaborator_then_they_may_withdraw(client):
    study = gaube_study(owner=UserFactory(username="owner"))
    participant = enrolled_participant(study)
    client.force_login(_member(study, "collaborator"))

    response = client.post(_withdraw_url(study, participant), {"reason": "Ethics board request"})

    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.status == Participant.Status.WITHDRAWN


def test_given_a_stranger_then_the_list_and_the_withdrawal_are_404(client):
    study = gaube_study(owner=UserFactory(username="owner"))
    participant = enrolled_participant(study)
    client.force_login(UserFactory(username="stranger"))

    listing = client.get(reverse("console:participants", args=[study.slug]))
    response = client.post(_withdraw_url(study, participant), {"reason": "curious"})

    assert (listing.status_code, response.status_code) == (404, 404)
    participant.refresh_from_db()
    assert participant.status == Participant.Status.IN_PROGRESS


def test_given_another_studys_participant_then_the_withdrawal_is_404(owner_client, owner):
    study = gaube_study(owner=owner)
    elsewhere = enrolled_participant(gaube_study(owner=UserFactory(username="other")))

    response = owner_client.post(_withdraw_url(study, elsewhere), {"reason": "wrong study"})

    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == Participant.Status.IN_PROGRESS


def test_given_a_declined_participant_then_409_says_there_is_nothing_to_withdraw(
    owner_client, owner
):
    study = gaube_study(owner=owner)
    (participant,) = services.invitations_create(study=study, count=1)
    services.participant_consent(participant=participant, agreed=False)

    response = owner_client.post(_withdraw_url(study, participant), {"reason": "asked"})

    assert response.status_code == 409
    assert (
        f"Participant {participant.public_id} declined to take part: there is nothing to withdraw."
        in response.content.decode()
    )


def test_given_an_already_withdrawn_participant_then_the_first_record_stays(owner_client, owner):
    study = gaube_study(owner=owner)
    participant = enrolled_participant(study)
    services.participant_withdraw(participant=participant, by="participant")

    response = owner_client.post(
        _withdraw_url(study, participant), {"reason": "again"}, follow=True
    )

    assert f"{participant.public_id} had already withdrawn; nothing changed." in (
        response.content.decode()
    )
    participant.refresh_from_db()
    assert (participant.withdrawn_by, participant.withdrawal_reason) == ("participant", "")


def test_given_the_participants_page_then_it_lists_public_ids_and_never_a_token(
    owner_client, owner
):
    study = gaube_study(owner=owner)
    participants = [enrolled_participant(study) for _ in range(3)]

    page = owner_client.get(reverse("console:participants", args=[study.slug]))
    found = owner_client.get(
        reverse("console:participants", args=[study.slug]), {"q": participants[1].public_id}
    )

    body = page.content.decode()
    assert [p.public_id in body for p in participants] == [True, True, True]
    assert [p.token in body for p in participants] == [False, False, False]
    assert body.count("<h1") == 1
    assert f'<label for="reason-{participants[0].public_id}">' in body
    assert [p.public_id for p in found.context["page"]] == [participants[1].public_id]
