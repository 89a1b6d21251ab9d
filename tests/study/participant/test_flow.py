"""The participant pages end to end through Django's test client (no browser)."""

import re

import pytest
from django.urls import reverse

from study.models import Participant, Response
from study.services import invitations_create
from tests.factories import gaube_study

pytestmark = pytest.mark.django_db


def _trial_answer(client, page_url, *, diagnosis="pneumonia"):
    return client.post(
        page_url,
        {
            "advice_rating": "5",
            "decision": "modify",
            "final_diagnosis": diagnosis,
            "confidence": "6",
            "client_active_ms": "1200",
            "client_response_ms": "1100",
            "viewer_interactions": "3",
        },
    )


def _start(client, study):
    (participant,) = invitations_create(study=study, count=1)
    entry = reverse("participant:entry", args=[participant.token])
    response = client.get(entry, follow=True)
    assert response.redirect_chain[-1][0].endswith("/consent/")
    client.post(response.redirect_chain[-1][0], {"agree": "yes"})
    screening = reverse("participant:screening", args=[participant.token])
    client.post(
        screening,
        {
            "specialty": "radiology",
            "training_level": "attending",
            "years_experience": "10",
            "prior_ai_use": "never",
        },
    )
    participant.refresh_from_db()
    return participant


def test_given_an_invitation_when_the_participant_goes_through_every_step_then_a_code_is_shown(
    client,
):
    study = gaube_study()
    participant = _start(client, study)
    assert participant.status == "in_progress"
    for number in range(1, 9):
        page = client.get(reverse("participant:entry", args=[participant.token]), follow=True)
        assert f"Case {number} of 8" in page.content.decode()
        url = page.redirect_chain[-1][0]
        assert url.endswith(f"/case/{number}/")
        _trial_answer(client, url)
    page = client.get(reverse("participant:entry", args=[participant.token]), follow=True)
    assert page.redirect_chain[-1][0].endswith("/questionnaire/")
    client.post(
        page.redirect_chain[-1][0], {"ai_attitude": "4", "advice_usefulness": "5", "comments": ""}
    )
    page = client.get(reverse("participant:entry", args=[participant.token]), follow=True)
    assert page.redirect_chain[-1][0].endswith("/debrief/")
    assert "deliberately wrong" in page.content.decode()
    page = client.post(page.redirect_chain[-1][0], {"choice": "keep"}, follow=True)
    participant.refresh_from_db()
    assert participant.status == "completed"
    assert re.fullmatch(r"TL-[A-Z2-9]{4}-[A-Z2-9]{4}", participant.completion_code)
    assert participant.completion_code in page.content.decode()
    assert Response.objects.filter(trial__participant=participant).count() == 8


def test_given_an_answered_trial_when_it_is_posted_again_then_nothing_changes(client):
    study = gaube_study()
    participant = _start(client, study)
    first = reverse("participant:trial", args=[participant.token, 1])
    client.get(first)
    _trial_answer(client, first, diagnosis="pneumonia")
    stored = Response.objects.get(trial__participant=participant, trial__position=1)

    again = _trial_answer(client, first, diagnosis="normal")

    assert again.status_code == 302
    case_2 = reverse("participant:trial", args=[participant.token, 2])
    assert again["Location"] == f"{case_2}?saved=1"
    stored_after = Response.objects.get(trial__participant=participant, trial__position=1)
    assert (stored_after.final_diagnosis, stored_after.answered_at) == (
        stored.final_diagnosis,
        stored.answered_at,
    )
    assert Response.objects.filter(trial__participant=participant).count() == 1


def test_given_a_closed_tab_when_the_link_is_opened_again_then_the_first_unanswered_case_shows(
    client, django_user_model
):
    study = gaube_study()
    participant = _start(client, study)
    for position in (1, 2):
        url = reverse("participant:trial", args=[participant.token, position])
        client.get(url)
        _trial_answer(client, url)
    client.cookies.clear()

    page = client.get(reverse("participant:entry", args=[participant.token]), follow=True)

    assert page.redirect_chain[-1][0].endswith("/case/3/")
    assert "Case 3 of 8" in page.content.decode()


def test_given_a_later_case_when_the_back_button_requests_case_one_then_it_redirects_forward(
    client,
):
    study = gaube_study()
    participant = _start(client, study)
    url = reverse("participant:trial", args=[participant.token, 1])
    client.get(url)
    _trial_answer(client, url)

    response = client.get(url)

    case_2 = reverse("participant:trial", args=[participant.token, 2])
    assert response["Location"] == f"{case_2}?saved=1"


def test_given_a_trial_when_it_is_shown_twice_then_shown_at_keeps_the_first_time(client):
    study = gaube_study()
    participant = _start(client, study)
    url = reverse("participant:trial", args=[participant.token, 1])
    client.get(url)
    first = participant.trials.get(position=1).shown_at
    client.get(url)
    assert participant.trials.get(position=1).shown_at == first
    assert first is not None


def test_given_a_missing_answer_when_the_trial_is_posted_then_the_page_names_the_field(client):
    study = gaube_study()
    participant = _start(client, study)
    url = reverse("participant:trial", args=[participant.token, 1])
    client.get(url)

    response = client.post(url, {"decision": "accept", "final_diagnosis": "pneumonia"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "Please rate the quality of the advice." in body
    assert "Please rate your confidence." in body
    assert not Response.objects.filter(trial__participant=participant).exists()


def test_given_consent_declined_when_the_link_is_reopened_then_the_decline_page_shows(client):
    study = gaube_study()
    (participant,) = invitations_create(study=study, count=1)
    client.post(reverse("participant:consent", args=[participant.token]), {"agree": "no"})
    participant.refresh_from_db()
    assert participant.status == Participant.Status.DECLINED
    assert participant.declined_at is not None
    page = client.get(reverse("participant:entry", args=[participant.token]), follow=True)
    assert "You chose not to take part" in page.content.decode()


def test_given_another_specialty_when_screened_then_the_participant_is_not_allocated(client):
    study = gaube_study()
    (participant,) = invitations_create(study=study, count=1)
    client.post(reverse("participant:consent", args=[participant.token]), {"agree": "yes"})
    client.post(
        reverse("participant:screening", args=[participant.token]),
        {
            "specialty": "other",
            "training_level": "attending",
            "years_experience": "5",
            "prior_ai_use": "never",
        },
    )
    participant.refresh_from_db()
    assert participant.status == Participant.Status.INELIGIBLE
    assert participant.slot is None
    assert not participant.trials.exists()


def test_given_an_unknown_token_when_requested_then_404(client):
    assert client.get("/p/not-a-real-token/").status_code == 404


def test_given_withdrawal_at_the_debrief_then_a_code_is_given_and_the_status_is_withdrawn(client):
    study = gaube_study()
    participant = _start(client, study)
    for position in range(1, 9):
        url = reverse("participant:trial", args=[participant.token, position])
        client.get(url)
        _trial_answer(client, url)
    client.post(
        reverse("participant:questionnaire", args=[participant.token]),
        {"ai_attitude": "4", "advice_usefulness": "5"},
    )
    page = client.post(
        reverse("participant:debrief", args=[participant.token]),
        {"choice": "withdraw"},
        follow=True,
    )
    participant.refresh_from_db()
    assert participant.status == Participant.Status.WITHDRAWN
    assert "Your answers have been withdrawn" in page.content.decode()
    assert participant.completion_code in page.content.decode()


def test_given_the_study_closes_mid_screening_when_screening_is_sent_then_a_closed_page_shows(
    client,
):
    from study import services

    study = gaube_study()
    (participant,) = invitations_create(study=study, count=1)
    client.post(reverse("participant:consent", args=[participant.token]), {"agree": "yes"})
    services.study_close(study=study)

    response = client.post(
        reverse("participant:screening", args=[participant.token]),
        {
            "specialty": "radiology",
            "training_level": "attending",
            "years_experience": "5",
            "prior_ai_use": "never",
        },
    )

    assert response.status_code == 403
    assert "This study is not recruiting" in response.content.decode()
    participant.refresh_from_db()
    assert participant.slot is None
