"""A bot's answers are the simulate command's simulated physician's (services.synthetic), in
the page's field names, and the same for the same seed whichever order the bots run in."""

import time

import pytest

from study import selectors, services
from study.bots.physician import (
    answer_fields,
    bots_setup,
    client_measurements,
    unaided_fields,
)
from study.services.bots import bot_invitations_create
from study.services.responses import Answer
from study.services.synthetic import TrialRead, UnaidedRead
from tests.factories import gaube_study

pytestmark = pytest.mark.django_db


def _enrolled(study, physician):
    (token,) = bot_invitations_create(study=study, count=1)
    participant = selectors.participant_by_token(token=token)
    participant = services.participant_consent(participant=participant, agreed=True)
    services.participant_enrol(
        participant=participant, screening=services.Screening(**physician.screening())
    )
    return token


def test_the_same_seed_gives_each_bot_the_same_answers_in_any_order():
    study = gaube_study(pilot_mode=True)
    _setup, first = bots_setup(study=study, participants=3, seed=5, radiology_share=0.5)
    _setup, again = bots_setup(study=study, participants=3, seed=5, radiology_share=0.5)

    # the bots draw in another order the second time: each has its own generator
    screenings = [physician.screening() for physician in first]
    later = [physician.screening() for physician in reversed(again)][::-1]

    assert screenings == later
    assert [p.specialty for p in first] == [s["specialty"] for s in screenings]
    assert [p.specialty for p in first].count("radiology") == 2  # round(3 * 0.5)


def test_a_bot_answers_the_trial_of_its_own_participant_as_the_design_asks():
    study = gaube_study(pilot_mode=True)
    _setup, (physician,) = bots_setup(study=study, participants=1, seed=1, radiology_share=1.0)
    token = _enrolled(study, physician)

    read = physician.trial_read(token=token, position=1)

    assert read is physician.trial_read(token=token, position=1)  # a reload: the same answer
    assert read.unaided is None
    fields, click = answer_fields(read)
    assert set(fields) == {"advice_rating", "decision", "final_diagnosis", "confidence"}
    assert fields["decision"] in ("accept", "modify", "reject")
    assert click is None


def test_agree_disagree_is_a_click_and_the_unaided_read_its_two_fields():
    read = TrialRead(
        unaided=UnaidedRead(diagnosis="pneumonia", confidence=4),
        answer=Answer(agreed=False, confidence=3),
    )

    assert answer_fields(read) == ({"confidence": 3}, ("agreed", "no"))
    assert unaided_fields(read) == {"unaided_diagnosis": "pneumonia", "unaided_confidence": 4}


def test_the_page_script_measurements_are_the_time_since_the_page_and_no_viewer_action():
    measured = client_measurements(
        names={"client_active_ms", "viewer_zoom", "other"}, shown_at=time.monotonic() - 0.25
    )

    assert set(measured) == {"client_active_ms", "viewer_zoom"}
    assert 250 <= int(measured["client_active_ms"]) < 5000
    assert measured["viewer_zoom"] == "0"
