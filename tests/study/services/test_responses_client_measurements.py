"""The answer service's rule for the page's own measurements (issue 9): one that is out of range
or unusable drops them all, flagged out_of_range; the answer itself is always stored."""

from datetime import timedelta

import pytest
from django.utils import timezone

from study import services
from study.models import Response
from study.services.responses import CLIENT_COUNT_MAX, CLIENT_MAX_MS, CLIENT_MEASUREMENTS
from tests.factories import enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db

MEASUREMENTS = CLIENT_MEASUREMENTS


@pytest.fixture
def shown_trial():
    participant = enrolled_participant(gaube_study())
    trial = participant.trials.select_related("advice").get(position=1)
    trial = services.trial_show(trial=trial)
    trial.advice_shown_at = timezone.now() - timedelta(minutes=5)
    trial.save(update_fields=["advice_shown_at"])
    return trial


def _record(trial, **client):
    answer = services.Answer(5, "modify", trial.advice.diagnosis, 6, **client)
    response, created = services.response_record(trial=trial, answer=answer)
    assert created
    return Response.objects.get(pk=response.pk)


def _stored(response):
    return [getattr(response, name) for name in MEASUREMENTS], response.timing_flag


@pytest.mark.parametrize("name", MEASUREMENTS)
@pytest.mark.parametrize("value", [2**31, 10**30, -1, True])
def test_one_implausible_measurement_drops_them_all_as_out_of_range(shown_trial, name, value):
    # Before: 2**31 or more in any of them was a DataError (integer out of range), a 500.
    sent = {**dict.fromkeys(MEASUREMENTS, 1), name: value}
    assert _stored(_record(shown_trial, **sent)) == (
        [None] * 8,
        "out_of_range",
    )


def test_a_measurement_the_page_sent_unusable_drops_them_all_as_out_of_range(shown_trial):
    sent = dict.fromkeys(MEASUREMENTS, 1)
    response = _record(shown_trial, **sent, client_unusable=("viewer_pan",))
    assert _stored(response) == ([None] * 8, "out_of_range")


def test_measurements_at_their_limits_are_kept(shown_trial):
    # 5 minutes by the server's clock: timings up to that (plus the skew allowance) are kept.
    sent = {"client_active_ms": 0, "client_response_ms": 300_000}
    sent |= dict.fromkeys(MEASUREMENTS[2:], CLIENT_COUNT_MAX)
    assert _stored(_record(shown_trial, **sent)) == (
        [0, 300_000, *[CLIENT_COUNT_MAX] * 6],
        "",
    )


def test_a_timing_over_a_day_is_out_of_range_even_when_the_server_agrees(shown_trial):
    shown_trial.advice_shown_at = timezone.now() - timedelta(days=2)
    shown_trial.save(update_fields=["advice_shown_at"])
    response = _record(shown_trial, client_active_ms=CLIENT_MAX_MS + 1, viewer_zoom=3)
    assert _stored(response) == ([None] * 8, "out_of_range")


def test_clock_skew_drops_the_timings_only(shown_trial):
    response = _record(shown_trial, client_response_ms=3_600_000, viewer_zoom=3)
    assert _stored(response) == ([None, None, None, 3, None, None, None, None], "clock_skew")
