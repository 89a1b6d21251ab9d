"""Each response mode and a no-advice control arm export the columns DATA.md defines for them,
filled or empty, and the analysis package reads the export back."""

import csv
import io

import pytest

from analysis.data import load_trials
from study import services
from study.models import Advice, Arm
from tests.factories import enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


def _trials_csv(study) -> tuple[str, list[dict[str, str]]]:
    handle = io.BytesIO()
    services.study_export(study=study, table="trials", handle=handle)
    text = handle.getvalue().decode("utf-8")
    return text, list(csv.DictReader(io.StringIO(text)))


def _answer_all(participant, answer_for) -> None:
    for trial in participant.trials.select_related("advice", "case").order_by("position"):
        trial = services.trial_show(trial=trial)
        services.response_record(trial=trial, answer=answer_for(trial))


def _loads(text, tmp_path):
    path = tmp_path / "trials.csv"
    path.write_text(text, encoding="utf-8")
    return load_trials(path)


def test_a_gaube_form_without_rating_and_confidence_exports_them_empty(tmp_path):
    study = gaube_study(ask_rating=False, ask_confidence=False)
    participant = enrolled_participant(study)
    _answer_all(
        participant,
        lambda trial: services.Answer(decision="accept", final_diagnosis=trial.advice.diagnosis),
    )
    text, rows = _trials_csv(study)
    assert len(rows) == 8
    for row in rows:
        accurate = row["advice_correct"] == "true"
        assert row["response_mode"] == "gaube"
        assert (row["advice_rating"], row["confidence"]) == ("", "")
        assert row["decision"] == "accept"
        assert row["final_diagnosis"] == row["advised_diagnosis"]
        assert row["followed_advice"] == "true"
        assert row["correct_decision"] == ("true" if accurate else "false")
        assert row["correct_diagnosis"] == ("true" if accurate else "false")
        assert (row["agreed"], row["decision_ms"]) == ("", "")
        assert row["explanation"] == "none"
    loaded = _loads(text, tmp_path)
    assert loaded["advice_rating"].isna().all()
    assert loaded["confidence"].isna().all()
    assert loaded["followed_advice"].dtype == bool


def test_agree_disagree_exports_the_click_its_server_time_and_its_scores(tmp_path):
    study = gaube_study(response_mode="agree_disagree", ask_rating=True, ask_confidence=False)
    participant = enrolled_participant(study)
    # agrees with every accurate advice, and with the first inaccurate one only
    agreed: dict[str, bool] = {}
    inaccurate_seen: list[str] = []

    def answer(trial):
        accurate = trial.advice.variant == Advice.Variant.ACCURATE
        agreed[trial.case.code] = accurate or not inaccurate_seen
        if not accurate:
            inaccurate_seen.append(trial.case.code)
        return services.Answer(advice_rating=3, agreed=agreed[trial.case.code])

    _answer_all(participant, answer)
    text, rows = _trials_csv(study)
    assert len(rows) == 8
    inaccurate = [row for row in rows if row["advice_correct"] == "false"]
    assert [row["agreed"] for row in inaccurate] == ["true", "false"]
    for row in rows:
        accurate = row["advice_correct"] == "true"
        said = agreed[row["case"]]
        assert row["response_mode"] == "agree_disagree"
        assert row["agreed"] == ("true" if said else "false")
        assert row["advice_rating"] == "3"
        assert (row["decision"], row["final_diagnosis"], row["confidence"]) == ("", "", "")
        assert row["followed_advice"] == row["agreed"]
        assert row["correct_decision"] == ("true" if said == accurate else "false")
        assert row["correct_diagnosis"] == ""
        assert row["decision_ms"] != ""
        assert row["decision_ms"] == row["response_ms"]
    loaded = _loads(text, tmp_path)
    assert loaded["agreed"].tolist() == [agreed[code] for code in loaded["case"]]
    assert loaded["correct_diagnosis"].isna().all()


def test_a_category_read_exports_the_category_and_leaves_the_decision_empty(tmp_path):
    study = gaube_study(response_mode="category", ask_rating=False, ask_decision=False)
    participant = enrolled_participant(study)
    _answer_all(
        participant,
        lambda trial: services.Answer(final_diagnosis=trial.case.reference_diagnosis, confidence=4),
    )
    text, rows = _trials_csv(study)
    assert len(rows) == 8
    for row in rows:
        accurate = row["advice_correct"] == "true"
        assert row["response_mode"] == "category"
        assert row["final_diagnosis"] == row["reference_diagnosis"]
        assert (row["advice_rating"], row["decision"], row["confidence"]) == ("", "", "4")
        assert row["correct_diagnosis"] == "true"
        assert row["followed_advice"] == ("true" if accurate else "false")
        assert row["correct_decision"] == ""
        assert (row["agreed"], row["decision_ms"]) == ("", "")
    loaded = _loads(text, tmp_path)
    assert loaded["correct_decision"].isna().all()
    assert loaded["correct_diagnosis"].dtype == bool


def test_a_no_advice_control_arm_exports_no_advice_columns(tmp_path):
    study = gaube_study(open_study=False)
    Arm.objects.filter(study=study, code="human").update(advice_source="none", explanation="none")
    Advice.objects.filter(case__study=study).update(displayed_confidence=0.9)
    study = services.study_open(study=study)
    first, second = enrolled_participant(study), enrolled_participant(study)
    control = first if first.arm.code == "human" else second
    advised = second if control is first else first
    _answer_all(
        control,
        lambda trial: services.Answer(final_diagnosis=trial.case.reference_diagnosis, confidence=5),
    )
    _answer_all(
        advised,
        lambda trial: services.Answer(
            advice_rating=4, decision="reject", final_diagnosis="normal", confidence=2
        ),
    )
    text, rows = _trials_csv(study)
    control_rows = [row for row in rows if row["participant"] == control.public_id]
    advised_rows = [row for row in rows if row["participant"] == advised.public_id]
    assert len(control_rows) == len(advised_rows) == 8
    for row in control_rows:
        assert row["advice_source"] == "none"
        assert row["explanation"] == ""
        for column in (
            "advice_correct",
            "advised_diagnosis",
            "displayed_confidence",
            "advice_rating",
            "decision",
            "followed_advice",
            "correct_decision",
            "agreed",
            "decision_ms",
        ):
            assert row[column] == "", column
        assert row["final_diagnosis"] == row["reference_diagnosis"]
        assert row["confidence"] == "5"
        assert row["correct_diagnosis"] == "true"
    for row in advised_rows:
        assert row["advice_source"] == "ai"
        assert row["displayed_confidence"] == "0.9"  # shown with AI-labelled advice
        assert row["decision"] == "reject"
        assert row["correct_decision"] == ("false" if row["advice_correct"] == "true" else "true")
        assert row["followed_advice"] == (
            "true" if row["advised_diagnosis"] == "normal" else "false"
        )
    loaded = _loads(text, tmp_path)
    assert loaded["advice_correct"].isna().sum() == 8
    assert str(loaded["advice_correct"].dtype) == "boolean"
