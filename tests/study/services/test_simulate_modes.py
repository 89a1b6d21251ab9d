"""Simulated participants answer in the study's response mode, with its questions switched as
designed and a control arm without advice, and the report of such a study renders."""

import numpy as np
import pytest

from analysis.report import render_report
from analysis.study import fit_study
from study import selectors, services
from study.models import Arm, Response
from tests.factories import gaube_study

pytestmark = pytest.mark.django_db


def _simulated(**design):
    study = gaube_study(open_study=False, pilot_mode=True, **design)
    return study


def _simulate(study, participants=8):
    study = services.study_open(study=study)
    services.study_simulate(study=study, participants=participants, rng=np.random.default_rng(7))
    return study


def test_an_agree_disagree_study_is_simulated_with_clicks_and_its_report_renders():
    study = _simulate(_simulated(response_mode="agree_disagree", ask_confidence=False))
    responses = Response.objects.filter(trial__participant__study=study)
    assert responses.count() == 64
    assert set(responses.values_list("response_mode", flat=True)) == {"agree_disagree"}
    assert not responses.filter(agreed__isnull=True).exists()
    assert set(responses.values_list("decision", "final_diagnosis")) == {("", "")}
    assert not responses.filter(confidence__isnull=False).exists()
    trials = selectors.trials_frame(study=study, include_synthetic=True)
    analysis = fit_study(trials)
    assert analysis.fits["confidence"] == "the study did not ask for a confidence rating"
    html = render_report(analysis)
    assert "the study did not ask for a confidence rating" in html
    assert "<h3>Correct decision (binomial GLMM)</h3>" in html


def test_a_category_read_with_a_control_arm_is_simulated_and_its_report_renders():
    study = _simulated(response_mode="category", ask_rating=False, ask_decision=False)
    Arm.objects.filter(study=study, code="human").update(advice_source="none")
    study = _simulate(study)
    responses = Response.objects.filter(trial__participant__study=study)
    assert set(responses.values_list("response_mode", flat=True)) == {"category"}
    assert not responses.filter(final_diagnosis="").exists()
    assert set(responses.values_list("decision", flat=True)) == {""}
    assert not responses.filter(advice_rating__isnull=False).exists()
    control = responses.filter(trial__participant__arm__code="human")
    assert control.exists()
    assert not control.filter(confidence__isnull=True).exists()
    trials = selectors.trials_frame(study=study, include_synthetic=True)
    analysis = fit_study(trials)
    assert analysis.fits["rating"] == "the study did not ask for an advice quality rating"
    assert analysis.fits["accuracy"] == (
        "the study did not ask for a decision on the advice (accept / modify / reject, or "
        "agree / disagree)"
    )
    assert any("no-advice control arm (human)" in limit for limit in analysis.limits)
    assert analysis.flow["advice_source"].tolist().count("none") >= 1
    html = services.study_report(study=study, include_synthetic=True)
    assert "no-advice control arm (human)" in html
    assert "the study did not ask for an advice quality rating" in html


def test_simulated_participants_answer_the_study_questionnaire_and_screening():
    items = [
        {
            "code": "q1",
            "wording": "Pick some",
            "type": "multiple",
            "choices": [["a", "A"], ["b", "B"]],
        },
        {"code": "q2", "wording": "Say it", "type": "text"},
    ]
    screening = {
        "specialties": [["radiology", "Radiology"], ["internal_medicine", "IM"]],
        "training_levels": [["consultant", "Consultant"]],
        "prior_ai_use": [["none", "Never"]],
    }
    study = _simulate(_simulated(questionnaire_items=items, screening=screening), participants=4)
    participants = study.participants.filter(synthetic=True)
    assert participants.count() == 4
    for participant in participants:
        assert participant.training_level == "consultant"
        assert participant.prior_ai_use == "none"
        assert set(participant.questionnaire) == {"q1", "q2"}
        assert participant.questionnaire["q1"]
        assert set(participant.questionnaire["q1"]) <= {
            "a",
            "b",
        }
        assert participant.questionnaire["q2"] == "simulated answer"
