"""The back button's "Case 3 is saved" notice: a request for an answered case or step is sent on
to the current step with ?saved=, and that page names what is saved; only what really is
answered, so a forged ?saved= shows nothing."""

import re

import pytest
from django.urls import reverse

from study import services
from study.models import Trial
from tests.factories import RADIOLOGIST, answer_all, gaube_study
from tests.study.participant.modes import training_cases

pytestmark = pytest.mark.django_db


def _notices(html: str) -> list[str]:
    status = re.search(r'<div role="status"><ul class="messages">(.*?)</ul></div>', html, re.S)
    return re.findall(r"<li[^>]*>(.*?)</li>", status.group(1), re.S) if status else []


def _enrolled(study=None):
    (participant,) = services.invitations_create(study=study or gaube_study(), count=1)
    services.participant_consent(participant=participant, agreed=True)
    return services.participant_enrol(participant=participant, screening=RADIOLOGIST)


def _answer(participant, position: int) -> None:
    trial = services.trial_show(trial=participant.trials.get(position=position))
    services.response_record(
        trial=trial,
        answer=services.Answer(
            advice_rating=5, decision="reject", final_diagnosis="normal", confidence=4
        ),
    )


def _trial_url(participant, position: int) -> str:
    return reverse("participant:trial", args=[participant.token, position])


def test_given_case_1_answered_when_it_is_requested_then_case_2_says_case_1_is_saved(client):
    participant = _enrolled()
    _answer(participant, 1)

    back = client.get(_trial_url(participant, 1))
    page = client.get(back["Location"])

    assert back["Location"] == f"{_trial_url(participant, 2)}?saved=1"
    assert _notices(page.content.decode()) == ["Case 1 is saved. You are on case 2 of 8."]


@pytest.mark.parametrize("marker", ["2", "3", "9", "0", "x", "consent1", "questionnaire", ""])
def test_given_a_forged_saved_marker_when_the_case_is_shown_then_no_notice_appears(client, marker):
    participant = _enrolled()
    _answer(participant, 1)

    page = client.get(f"{_trial_url(participant, 2)}?saved={marker}")

    assert page.status_code == 200
    assert _notices(page.content.decode()) == []


def test_given_an_unanswered_later_case_when_it_is_requested_then_no_saved_marker_is_added(
    client,
):
    participant = _enrolled()

    response = client.get(_trial_url(participant, 5))

    assert response["Location"] == _trial_url(participant, 1)


def test_given_all_cases_answered_when_case_8_is_requested_then_the_questionnaire_says_it_is_saved(
    client,
):
    participant = _enrolled()
    answer_all(participant)

    back = client.get(_trial_url(participant, 8))
    page = client.get(back["Location"])

    questionnaire = reverse("participant:questionnaire", args=[participant.token])
    assert back["Location"] == f"{questionnaire}?saved=8"
    assert _notices(page.content.decode()) == ["Case 8 is saved."]


@pytest.mark.parametrize(
    ("step", "marker", "notice"),
    [
        ("consent", "consent", "Your consent is saved."),
        ("screening", "screening", "Your answers about you are saved."),
    ],
)
def test_given_an_earlier_step_when_it_is_requested_again_then_the_current_page_says_it_is_saved(
    client, step, marker, notice
):
    participant = _enrolled()

    back = client.get(reverse(f"participant:{step}", args=[participant.token]))
    page = client.get(back["Location"])

    assert back["Location"] == f"{_trial_url(participant, 1)}?saved={marker}"
    assert _notices(page.content.decode()) == [notice]


def test_given_a_later_step_as_marker_when_an_earlier_page_is_shown_then_no_notice_appears(
    client,
):
    participant = _enrolled()

    page = client.get(f"{_trial_url(participant, 1)}?saved=questionnaire")

    assert _notices(page.content.decode()) == []


def test_given_training_cases_when_one_is_saved_then_the_notice_counts_as_the_progress_does(
    client,
):
    study = gaube_study(open_study=False, cases_per_participant=6, inaccurate_per_participant=2)
    training_cases(study, codes=("C01", "C02"))
    participant = _enrolled(services.study_open(study=study))
    first, second = (
        Trial.objects.filter(participant=participant)
        .order_by("position")[:2]
        .values_list("is_training", flat=True)
    )
    assert (first, second) == (True, True)
    _answer(participant, 1)
    _answer(participant, 2)

    training = client.get(f"{_trial_url(participant, 3)}?saved=2")
    test = client.get(f"{_trial_url(participant, 3)}?saved=1")

    assert _notices(training.content.decode()) == [
        "Training case 2 is saved. You are on case 1 of 6."
    ]
    assert _notices(test.content.decode()) == ["Training case 1 is saved. You are on case 1 of 6."]


def test_given_a_withdrawn_participant_when_an_answered_case_is_requested_then_nothing_is_saved(
    client,
):
    participant = _enrolled()
    _answer(participant, 1)
    services.participant_withdraw(participant=participant, by="participant")

    back = client.get(_trial_url(participant, 1))

    assert back["Location"] == reverse("participant:withdrawn", args=[participant.token])
