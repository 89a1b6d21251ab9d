"""Dropout by step (each participant at exactly one step, the later steps reached by fewer),
enrolment and completion per day with the gaps filled, and the quartiles of duration."""

from datetime import UTC, date, datetime, timedelta

import pytest

from study import services
from study.models import Participant
from study.selectors.progress_steps import (
    DayCounts,
    DurationSummary,
    study_dropout_by_step,
    study_duration_summary,
    study_enrolment_by_day,
)
from tests.factories import answer_all, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db

QUESTIONNAIRE = {"ai_attitude": 4, "advice_usefulness": 5, "comments": ""}


def _invited(study) -> Participant:
    (participant,) = services.invitations_create(study=study, count=1)
    return participant


def _answered(study, n: int) -> Participant:
    participant = enrolled_participant(study)
    for trial in participant.trials.select_related("advice").order_by("position")[:n]:
        services.response_record(
            trial=services.trial_show(trial=trial),
            answer=services.Answer(
                advice_rating=4, decision="reject", final_diagnosis="normal", confidence=3
            ),
        )
    return participant


def _through_questionnaire(study) -> Participant:
    participant = enrolled_participant(study)
    answer_all(participant)
    return services.questionnaire_record(participant=participant, answers=QUESTIONNAIRE)


def _rows(study) -> list[tuple[str, int, int, int]]:
    return [
        (row.label, row.reached, row.here, row.left) for row in study_dropout_by_step(study=study)
    ]


def test_given_participants_at_every_step_then_each_is_counted_at_the_step_they_stopped_at():
    study = gaube_study()
    _invited(study)  # at consent
    services.participant_consent(participant=_invited(study), agreed=False)  # left at consent
    services.participant_consent(participant=_invited(study), agreed=True)  # at screening
    _answered(study, 0)  # at case 1
    _answered(study, 3)  # at case 4
    _answered(study, 3)
    services.participant_withdraw(participant=_answered(study, 1), by="participant")  # case 2
    all_cases = enrolled_participant(study)
    answer_all(all_cases)  # at the questionnaire
    _through_questionnaire(study)  # at the debrief
    services.participant_complete(participant=_through_questionnaire(study), withdraw=True)
    done = _through_questionnaire(study)
    services.participant_complete(participant=done, withdraw=False)
    revoked = _invited(study)
    Participant.objects.filter(pk=revoked.pk).update(status=Participant.Status.REVOKED)

    rows = _rows(study)

    assert rows == [
        ("Consent", 11, 1, 1),
        ("Screening", 9, 1, 0),
        ("Case 1", 8, 1, 0),
        ("Case 2", 7, 0, 1),
        ("Case 3", 6, 0, 0),
        ("Case 4", 6, 2, 0),
        ("Case 5", 4, 0, 0),
        ("Case 6", 4, 0, 0),
        ("Case 7", 4, 0, 0),
        ("Case 8", 4, 0, 0),
        ("Questionnaire", 4, 1, 0),
        ("Debrief", 3, 1, 1),  # the debrief's "withdraw my data" left here
        ("Finished (completion code shown)", 1, 1, 0),
    ]


def test_given_a_researcher_withdraws_a_finished_participant_then_they_left_after_finishing():
    study = gaube_study()
    done = _through_questionnaire(study)
    services.participant_complete(participant=done, withdraw=False)
    services.participant_withdraw(participant=done, by="researcher", reason="asked by e-mail")

    assert _rows(study)[-1] == ("Finished (completion code shown)", 1, 0, 1)


def test_given_no_participant_then_every_step_of_the_design_is_listed_with_zeros():
    rows = _rows(gaube_study(cases_per_participant=3))

    assert [label for label, *_ in rows] == [
        "Consent",
        "Screening",
        "Case 1",
        "Case 2",
        "Case 3",
        "Questionnaire",
        "Debrief",
        "Finished (completion code shown)",
    ]
    assert {counts for _, *counts in rows for counts in counts} == {0}


def _at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def test_given_enrolments_over_days_then_each_day_from_the_first_is_listed_with_its_totals():
    study = gaube_study()
    first, second, third = (enrolled_participant(study) for _ in range(3))
    _invited(study)  # never enrolled: not on the line
    Participant.objects.filter(pk=first.pk).update(enrolled_at=_at(2), completed_at=_at(4))
    Participant.objects.filter(pk=second.pk).update(enrolled_at=_at(2, 23))
    Participant.objects.filter(pk=third.pk).update(enrolled_at=_at(4, 0), completed_at=_at(5))

    days = study_enrolment_by_day(study=study)

    assert days == [
        DayCounts(date(2026, 11, 2), enrolled=2, completed=0, enrolled_total=2, completed_total=0),
        DayCounts(date(2026, 11, 3), enrolled=0, completed=0, enrolled_total=2, completed_total=0),
        DayCounts(date(2026, 11, 4), enrolled=1, completed=1, enrolled_total=3, completed_total=1),
        DayCounts(date(2026, 11, 5), enrolled=0, completed=1, enrolled_total=3, completed_total=2),
    ]


def test_given_nobody_enrolled_then_the_line_is_empty():
    study = gaube_study()
    _invited(study)

    assert study_enrolment_by_day(study=study) == []


def _completed_after(study, minutes: float) -> None:
    participant = _through_questionnaire(study)
    services.participant_complete(participant=participant, withdraw=False)
    Participant.objects.filter(pk=participant.pk).update(
        enrolled_at=_at(1), completed_at=_at(1) + timedelta(minutes=minutes)
    )


def test_given_completions_then_the_quartiles_are_those_of_the_inclusive_method():
    study = gaube_study()
    for minutes in (40, 10, 30, 20):
        _completed_after(study, minutes)
    withdrawn = _through_questionnaire(study)  # withdrawn at the debrief: not a completion
    services.participant_complete(participant=withdrawn, withdraw=True)

    # R: quantile(c(10, 20, 30, 40), c(.25, .5, .75)) -> 17.5 25.0 32.5
    assert study_duration_summary(study=study) == DurationSummary(
        n=4, q1=17.5, median=25.0, q3=32.5
    )


def test_given_one_completion_then_all_quartiles_are_its_duration():
    study = gaube_study()
    _completed_after(study, 12.25)

    assert study_duration_summary(study=study) == DurationSummary(
        n=1, q1=12.2, median=12.2, q3=12.2
    )


def test_given_no_completion_then_there_are_no_quartiles():
    study = gaube_study()
    _answered(study, 2)

    assert study_duration_summary(study=study) == DurationSummary(
        n=0, q1=None, median=None, q3=None
    )
