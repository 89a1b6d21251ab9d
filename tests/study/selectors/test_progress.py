"""Progress that tells the truth: every participant counted at the step they are at, abandoned
sessions after the study's threshold, and a trial page's bar that counts answers, not position."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from study import selectors, services
from study.models import Case, Participant
from study.selectors.participants import participant_progress
from tests.factories import INTERNIST, RADIOLOGIST, answer_all, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db

QUESTIONNAIRE = {"ai_attitude": 4, "advice_usefulness": 5, "comments": ""}
NOBODY_ABANDONED = {
    "total": 0,
    "not_consented": 0,
    "consented_not_screened": 0,
    "screened_no_trial_answered": 0,
    "part_way": 0,
}


def _invited(study) -> Participant:
    (participant,) = services.invitations_create(study=study, count=1)
    return participant


def _consented(study) -> Participant:
    return services.participant_consent(participant=_invited(study), agreed=True)


def _answer(trial) -> None:
    services.response_record(
        trial=services.trial_show(trial=trial),
        answer=services.Answer(
            advice_rating=4, decision="reject", final_diagnosis="normal", confidence=3
        ),
    )


def _one_answered(study) -> Participant:
    participant = enrolled_participant(study)
    _answer(participant.trials.get(position=1))
    return participant


def _last_active(participant: Participant, minutes_ago: int, now) -> None:
    Participant.objects.filter(pk=participant.pk).update(
        last_seen_at=now - timedelta(minutes=minutes_ago)
    )


def test_given_participants_at_every_step_then_each_step_is_counted_once():
    study = gaube_study(stratum_quotas={"non_radiology": 1}, reissue_after_minutes=60)
    _invited(study)
    _consented(study)
    _consented(study)
    enrolled_participant(study)  # screened, no trial answered
    _one_answered(study)
    all_answered = enrolled_participant(study)
    answer_all(all_answered)  # part way too: the questionnaire is still to come
    finished = enrolled_participant(study)
    answer_all(finished)
    services.questionnaire_record(participant=finished, answers=QUESTIONNAIRE)
    services.participant_complete(participant=finished, withdraw=False)
    services.participant_withdraw(participant=_one_answered(study), by="participant")
    services.participant_withdraw(participant=_invited(study), by="participant")
    services.participant_consent(participant=_invited(study), agreed=False)
    services.participant_enrol(
        participant=_consented(study),
        screening=services.Screening(**{**RADIOLOGIST.__dict__, "specialty": "other"}),
    )
    enrolled_participant(study, INTERNIST)  # takes the one non-radiology place
    enrolled_participant(study, INTERNIST)  # stratum full
    lost_slot = enrolled_participant(study)
    Participant.objects.filter(pk=lost_slot.pk).update(
        enrolled_at=timezone.now() - timedelta(minutes=61)
    )
    enrolled_participant(study)  # takes the abandoned slot: lost_slot is reissued

    progress = selectors.study_progress(study=study)

    assert progress["dropout"] == {
        "not_consented": 1,
        "consented_not_screened": 2,
        # the radiologist, the internist in the quota's one place, the taker of the lost slot
        "screened_no_trial_answered": 3,
        "part_way": 2,
        "completed": 1,
        "withdrawn": 2,
        "declined": 1,
        "screened_out": 1,
        "stratum_full": 1,
        "reissued": 1,
    }
    assert sum(progress["dropout"].values()) == progress["invited"] == 15
    assert (progress["withdrawn"], progress["completed"], progress["declined"]) == (2, 1, 1)
    assert progress["abandoned"] == NOBODY_ABANDONED
    assert progress["abandon_after_minutes"] == 24 * 60


def test_given_the_threshold_then_only_sessions_quiet_for_longer_count_as_abandoned():
    study = gaube_study(abandon_after_minutes=90)
    now = timezone.now()
    opened_consent = _invited(study)
    never_opened = _invited(study)
    consented = _consented(study)
    enrolled = enrolled_participant(study)
    part_way = _one_answered(study)
    recent = _one_answered(study)
    finished = enrolled_participant(study)
    answer_all(finished)
    services.questionnaire_record(participant=finished, answers=QUESTIONNAIRE)
    services.participant_complete(participant=finished, withdraw=False)
    withdrawn = _one_answered(study)
    services.participant_withdraw(participant=withdrawn, by="participant")
    for participant in (opened_consent, consented, enrolled, part_way, finished, withdrawn):
        _last_active(participant, 91, now)
    _last_active(recent, 89, now)

    progress = selectors.study_progress(study=study, now=now)

    assert progress["abandoned"] == {
        "total": 4,
        "not_consented": 1,
        "consented_not_screened": 1,
        "screened_no_trial_answered": 1,
        "part_way": 1,
    }
    assert never_opened.last_seen_at is None  # no activity at all: not abandoned
    later = selectors.study_progress(study=study, now=now + timedelta(minutes=2))
    assert later["abandoned"]["part_way"] == 2  # recent is now quiet for 91 minutes too
    assert later["abandoned"]["total"] == 5


def test_given_no_page_seen_then_the_latest_of_consent_and_enrolment_is_the_last_activity():
    study = gaube_study(abandon_after_minutes=60)
    now = timezone.now()
    consented = _consented(study)
    enrolled = enrolled_participant(study)
    Participant.objects.filter(pk=consented.pk).update(consented_at=now - timedelta(minutes=61))
    Participant.objects.filter(pk=enrolled.pk).update(
        consented_at=now - timedelta(minutes=120), enrolled_at=now - timedelta(minutes=30)
    )

    progress = selectors.study_progress(study=study, now=now)

    assert progress["abandoned"]["consented_not_screened"] == 1
    assert progress["abandoned"]["screened_no_trial_answered"] == 0  # enrolled 30 minutes ago
    assert progress["abandoned"]["total"] == 1


def test_given_any_number_of_participants_then_the_step_counts_take_a_fixed_number_of_queries():
    study = gaube_study()
    for _ in range(2):
        _one_answered(study)
    with CaptureQueriesContext(connection) as few:
        selectors.study_progress(study=study)
    for _ in range(5):
        _one_answered(study)
        _consented(study)

    with CaptureQueriesContext(connection) as many:
        progress = selectors.study_progress(study=study)

    assert progress["dropout"]["part_way"] == 7
    assert len(many.captured_queries) == len(few.captured_queries)


def test_given_the_gaube_design_at_case_4_then_the_bar_shows_3_of_8_answered(client):
    participant = enrolled_participant(gaube_study())
    for trial in participant.trials.order_by("position")[:3]:
        _answer(trial)

    page = client.get(reverse("participant:trial", args=[participant.token, 4]))
    trial = participant.trials.get(position=4)

    assert participant_progress(trial=trial, total=8) == {
        "label": "Case 4 of 8",
        "answered": 3,
        "total": 8,
        "text": "3 of 8 cases answered",
    }
    assert (
        '<span id="progress-label">Case 4 of 8</span>\n  <progress max="8" value="3" '
        'aria-labelledby="progress-label" aria-valuetext="3 of 8 cases answered">'
        "3 of 8 cases answered</progress>"
    ) in page.content.decode()


def test_given_a_training_case_then_case_1_of_3_shows_1_of_4_answered(client):
    study = gaube_study(open_study=False, cases_per_participant=3, inaccurate_per_participant=1)
    Case.objects.filter(study=study, code="C08").update(is_training=True)
    participant = enrolled_participant(services.study_open(study=study))
    training = participant.trials.get(position=1)
    assert training.is_training
    assert participant.trials.count() == 4

    before = participant_progress(trial=training, total=4)
    _answer(training)
    page = client.get(reverse("participant:trial", args=[participant.token, 2]))

    assert before == {
        "label": "Training case 1 of 1",
        "answered": 0,
        "total": 4,
        "text": "0 of 4 cases answered",
    }
    assert participant_progress(trial=participant.trials.get(position=2), total=4) == {
        "label": "Case 1 of 3",
        "answered": 1,
        "total": 4,
        "text": "1 of 4 cases answered",
    }
    body = page.content.decode()
    assert '<span id="progress-label">Case 1 of 3</span>' in body
    assert '<progress max="4" value="1" ' in body
