"""response_record stores exactly what the trial's question plan asks (study.core.questions):
each asked answer present and valid, each other one empty, the response mode with it."""

import pytest

from study import services
from study.models import Arm
from tests.factories import enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


def _trial(arm: str = "ai", arms: dict | None = None, **design):
    study = gaube_study(open_study=False, **design)
    for code, fields in (arms or {}).items():
        Arm.objects.filter(study=study, code=code).update(**fields)
    study = services.study_open(study=study)
    for _ in range(8):
        participant = enrolled_participant(study)
        if participant.arm.code == arm:
            trial = participant.trials.select_related("advice").get(position=1)
            return services.trial_show(trial=trial), trial.advice.diagnosis
    raise AssertionError(f"no participant in arm {arm}")


def _fields(response):
    return (
        response.response_mode,
        response.advice_rating,
        response.decision,
        response.final_diagnosis,
        response.confidence,
        response.agreed,
    )


def test_the_existing_positional_and_keyword_answers_still_store_the_gaube_form():
    trial, advised = _trial()
    response, created = services.response_record(
        trial=trial, answer=services.Answer(4, "accept", advised, 6)
    )
    assert created
    assert _fields(response) == ("gaube", 4, "accept", advised, 6, None)


@pytest.mark.parametrize(
    ("field", "answer"),
    [
        ("advice_rating", {"decision": "reject", "final_diagnosis": "normal", "confidence": 3}),
        ("decision", {"advice_rating": 3, "final_diagnosis": "normal", "confidence": 3}),
        ("final_diagnosis", {"advice_rating": 3, "decision": "reject", "confidence": 3}),
        ("confidence", {"advice_rating": 3, "decision": "reject", "final_diagnosis": "normal"}),
    ],
)
def test_an_asked_question_left_out_is_refused_naming_it(field, answer):
    trial, _ = _trial()
    with pytest.raises(services.ResponseInvalid) as error:
        services.response_record(trial=trial, answer=services.Answer(**answer))
    assert (error.value.field, str(error.value)) == (
        field,
        f"{field}: this question needs an answer",
    )


def test_questions_switched_off_are_stored_empty_and_their_posted_values_ignored():
    trial, _advised = _trial(ask_rating=False, ask_diagnosis=False)
    answer = services.Answer(
        advice_rating=99, decision="accept", final_diagnosis="zz", confidence=2
    )
    response, _ = services.response_record(trial=trial, answer=answer)
    # Without a diagnosis asked, accepting has no final diagnosis to agree with the advice.
    assert _fields(response) == ("gaube", None, "accept", "", 2, None)


def test_agree_mode_stores_agreed_and_nothing_of_the_gaube_form():
    trial, advised = _trial(response_mode="agree_disagree", ask_confidence=False)
    answer = services.Answer(
        advice_rating=5, decision="accept", final_diagnosis=advised, agreed=False
    )
    response, _ = services.response_record(trial=trial, answer=answer)
    assert _fields(response) == ("agree_disagree", 5, "", "", None, False)


def test_agree_mode_refuses_an_answer_without_a_button():
    trial, _ = _trial(response_mode="agree_disagree", ask_rating=False, ask_confidence=False)
    with pytest.raises(services.ResponseInvalid, match=r"^agreed: choose Agree or Disagree$"):
        services.response_record(trial=trial, answer=services.Answer())


def test_agreed_is_ignored_outside_agree_mode():
    trial, _advised = _trial(response_mode="category", ask_rating=False, ask_decision=False)
    answer = services.Answer(final_diagnosis="pneumothorax", confidence=1, agreed=True)
    response, _ = services.response_record(trial=trial, answer=answer)
    assert _fields(response) == ("category", None, "", "pneumothorax", 1, None)


def test_a_category_must_be_one_of_the_study_categories():
    trial, _ = _trial(response_mode="category", ask_rating=False, ask_decision=False)
    answer = services.Answer(final_diagnosis="birads_6", confidence=1)
    with pytest.raises(
        services.ResponseInvalid,
        match=r"^final_diagnosis: 'birads_6' is not one of this study's diagnoses$",
    ):
        services.response_record(trial=trial, answer=answer)


def test_accepting_in_a_category_read_with_a_decision_means_the_advised_category():
    trial, advised = _trial(response_mode="category", ask_rating=False)
    other = "normal" if advised != "normal" else "pneumonia"
    with pytest.raises(services.ResponseInvalid) as error:
        services.response_record(
            trial=trial,
            answer=services.Answer(decision="accept", final_diagnosis=other, confidence=3),
        )
    assert error.value.field == "final_diagnosis"


def test_the_control_arm_stores_only_its_diagnosis_and_confidence():
    control = {"human": {"advice_source": "none", "explanation": "none"}}
    trial, _ = _trial(
        arm="human", arms=control, response_mode="agree_disagree", read_then_reveal=True
    )
    # No advice to reveal: the control trial is answerable as soon as it is shown.
    assert trial.advice_shown_at is not None
    answer = services.Answer(
        advice_rating=4, decision="accept", final_diagnosis="normal", confidence=2, agreed=True
    )
    response, _ = services.response_record(trial=trial, answer=answer)
    assert _fields(response) == ("agree_disagree", None, "", "normal", 2, None)
