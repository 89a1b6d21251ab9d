"""The answer service: one stored answer per trial, consistent with its decision, with client
timings kept only when plausible and viewer actions counted by kind."""

from datetime import timedelta

import pytest
from django.utils import timezone

from study import services
from study.models import Response
from tests.factories import enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def shown_trial():
    participant = enrolled_participant(gaube_study())
    return services.trial_show(trial=participant.trials.select_related("advice").get(position=1))


def _other(trial) -> str:
    return next(
        code
        for code in trial.participant.study.diagnoses.values_list("code", flat=True)
        if code != trial.advice.diagnosis
    )


def test_accepting_the_advice_with_another_diagnosis_is_refused_naming_the_field(shown_trial):
    answer = services.Answer(5, "accept", _other(shown_trial), 6)
    with pytest.raises(services.ResponseInvalid) as caught:
        services.response_record(trial=shown_trial, answer=answer)
    assert caught.value.field == "final_diagnosis"
    assert str(caught.value) == (
        "final_diagnosis: you accepted the advice, so your final diagnosis is the advised one; "
        "choose it, or choose modify or reject"
    )
    assert not Response.objects.exists()


@pytest.mark.parametrize("decision", ["modify", "reject"])
def test_modify_and_reject_allow_any_study_diagnosis(shown_trial, decision):
    for final in (shown_trial.advice.diagnosis, _other(shown_trial)):
        services.decision_validate(
            decision=decision, final_diagnosis=final, advised_diagnosis=shown_trial.advice.diagnosis
        )
    response, created = services.response_record(
        trial=shown_trial, answer=services.Answer(5, decision, _other(shown_trial), 6)
    )
    assert created
    assert response.decision == decision


def test_viewer_actions_are_stored_by_kind(shown_trial):
    answer = services.Answer(
        5,
        "accept",
        shown_trial.advice.diagnosis,
        6,
        viewer_interactions=9,
        viewer_zoom=4,
        viewer_pan=3,
        viewer_window=2,
    )
    response, _ = services.response_record(trial=shown_trial, answer=answer)
    assert (
        response.viewer_interactions,
        response.viewer_zoom,
        response.viewer_pan,
        response.viewer_window,
        response.viewer_invert,
        response.viewer_fullscreen,
    ) == (9, 4, 3, 2, None, None)  # kinds the client did not report are missing, not 0


def _answered_after(trial, *, seconds: float, active: int | None, response_ms: int | None):
    # the advice was shown `seconds` ago by the server's clock
    trial.advice_shown_at = timezone.now() - timedelta(seconds=seconds)
    trial.save(update_fields=["advice_shown_at"])
    answer = services.Answer(
        5,
        "accept",
        trial.advice.diagnosis,
        6,
        client_active_ms=active,
        client_response_ms=response_ms,
    )
    response, _ = services.response_record(trial=trial, answer=answer)
    return (response.client_active_ms, response.client_response_ms, response.timing_flag)


def test_plausible_client_timings_are_kept(shown_trial):
    assert _answered_after(shown_trial, seconds=30, active=25_000, response_ms=29_000) == (
        25_000,
        29_000,
        "",
    )


def test_a_client_time_longer_than_the_servers_is_dropped_as_clock_skew(shown_trial):
    assert _answered_after(shown_trial, seconds=10, active=5_000, response_ms=60_000) == (
        None,
        None,
        "clock_skew",
    )


def test_a_client_time_over_a_day_is_dropped_as_out_of_range(shown_trial):
    assert _answered_after(shown_trial, seconds=10, active=90_000_000, response_ms=90_000_000) == (
        None,
        None,
        "out_of_range",
    )
