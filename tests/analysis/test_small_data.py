"""Small and degenerate studies: fit_study and the report never raise; every model is either
fitted or carries a plain-words reason, and the descriptive tables are always there.

Hypothesis draws a few participants x cases with random strata, arms and outcomes, constant
columns included; the explicit tests are the reported defects (an OverflowError and a LAPACK
error in the console's report of a one-participant study)."""

from __future__ import annotations

import html
import math
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.data import TrialsError
from analysis.fits import MODELS, StudyFit, fit_accuracy, fit_rating
from analysis.mixed import NotEstimable
from analysis.report import render_report
from analysis.study import fit_study
from tests.analysis.conftest import build_trials

WHEN = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
CASES = "ABCDEF"
# The engine's backstop message: the study's own checks should have said it in plain words.
ENGINE_BREAKDOWN = "the model cannot be estimated on these data"


def _column(draw, rows: int, values: st.SearchStrategy) -> list:
    """A column that is constant in about a third of the draws."""
    if draw(st.booleans()) and draw(st.booleans()):
        return [draw(values)] * rows
    return draw(st.lists(values, min_size=rows, max_size=rows))


@st.composite
def small_studies(draw) -> pd.DataFrame:
    participants = draw(st.integers(min_value=1, max_value=5))
    strata = draw(
        st.sampled_from([("radiology",), ("non_radiology",), ("non_radiology", "radiology")])
    )
    sources = draw(st.sampled_from([("ai",), ("human",), ("ai", "human")]))
    specs, rows = [], 0
    for number in range(participants):
        cases = draw(st.lists(st.sampled_from(CASES), min_size=1, max_size=len(CASES), unique=True))
        specs.append(
            (f"p{number}", draw(st.sampled_from(strata)), draw(st.sampled_from(sources)), cases)
        )
        rows += len(cases)
    correct = _column(draw, rows, st.booleans())
    followed = _column(draw, rows, st.booleans())
    answers = iter(zip(correct, followed, strict=True))
    participants_spec = [
        (participant, stratum, source, [(case, *next(answers)) for case in cases])
        for participant, stratum, source, cases in specs
    ]
    scale = st.integers(min_value=1, max_value=7)
    return build_trials(
        participants_spec,
        ratings=_column(draw, rows, scale),
        confidences=_column(draw, rows, scale),
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(trials=small_studies())
def test_small_studies_are_analysed_and_reported_without_raising(trials):
    # when
    analysis = fit_study(trials)
    page = render_report(analysis, generated_at=WHEN)
    # then: each model is fitted, with finite estimates, or carries its reason in the page
    assert tuple(analysis.fits) == tuple(MODELS)
    for model, fit in analysis.fits.items():
        if isinstance(fit, StudyFit):
            estimates = [effect.estimate for effect in fit.result.fixed_effects]
            assert all(math.isfinite(value) for value in estimates), model
            assert model in analysis.contrasts
        else:
            assert fit, model
            assert not fit.startswith(ENGINE_BREAKDOWN), fit
            assert f"{model} model could not be fitted: {fit}" in analysis.warnings
            assert html.escape(fit) in page
    # and the descriptive tables are always there
    assert analysis.design.trials == len(trials)
    assert int(analysis.flow["trials"].sum()) == len(trials)
    assert int(analysis.accuracy["n"].sum()) == 2 * len(trials)
    assert "Accuracy by stratum, advice label and advice correctness" in page
    for limit in analysis.limits:
        assert html.escape(limit) in page


ONE_PARTICIPANT_CONSTANT = [
    # every piece of advice accepted: followed_advice is constant; the one inaccurate case was
    # therefore decided wrongly, so its condition has no variation either
    ("p1", "radiology", "ai", [(case, case != "E", True) for case in "ABCDEFGH"])
]


def test_regression_one_participant_with_constant_answers_is_reported_not_an_overflow():
    # given: one participant who accepted everything, with one rating and one confidence
    trials = build_trials(ONE_PARTICIPANT_CONSTANT)
    # when (this raised OverflowError: math range error from math.exp in results.wald)
    analysis = fit_study(trials)
    page = render_report(analysis, generated_at=WHEN)
    # then: every model says in plain words what is missing
    assert dict(analysis.fits) == {
        "accuracy": "at least 2 participants per stratum are needed (radiology has 1)",
        "followed": "no variation in followed_advice: all advice was followed; at least 2 "
        "participants per stratum are needed (radiology has 1)",
        "rating": "no variation in advice_rating: it is 4 in every trial; at least 2 "
        "participants per stratum are needed (radiology has 1)",
        "confidence": "no variation in confidence: it is 5 in every trial; at least 2 "
        "participants per stratum are needed (radiology has 1)",
    }
    assert analysis.limits == (
        "only one arm has data (ai, AI label): no human-vs-AI label contrast",
        "only one stratum has data (radiology): no difference between strata",
    )
    assert page.count("The model could not be fitted:") == 4
    assert page.count("no variation in followed_advice: all advice was followed") == 1
    assert "Warnings:" not in page  # the reasons are under each model's heading, once
    assert "What these data cannot show:" in page
    assert "Accuracy by stratum, advice label and advice correctness" in page


def test_regression_one_participant_no_longer_fails_with_a_lapack_error():
    # given: one participant, accurate advice decided both ways, the one inaccurate case wrong
    trials = build_trials(
        [
            (
                "p1",
                "radiology",
                "ai",
                [
                    ("A", True, False),
                    ("B", True, True),
                    ("C", True, False),
                    ("D", True, True),
                    ("E", False, True),
                    ("F", True, False),
                    ("G", True, False),
                    ("H", True, True),
                ],
            )
        ],
        ratings=[1, 2, 3, 4, 5, 6, 7, 1],
        confidences=[2, 3, 4, 5, 6, 7, 1, 2],
    )
    # when (this was "matrix not positive definite (LAPACK dpotrf info=2)")
    analysis = fit_study(trials)
    # then
    assert set(analysis.fits.values()) == {
        "at least 2 participants per stratum are needed (radiology has 1)"
    }


def test_separation_within_a_condition_is_named_in_plain_words():
    # given: two participants per stratum, but every inaccurate advice in radiology followed
    participants = [
        ("r1", "radiology", "ai", [("A", True, True), ("B", False, True), ("C", True, False)]),
        ("r2", "radiology", "ai", [("A", False, True), ("B", True, False), ("C", True, True)]),
        ("n1", "non_radiology", "ai", [("A", True, True), ("B", False, False), ("C", True, False)]),
        ("n2", "non_radiology", "ai", [("A", False, True), ("B", True, True), ("C", True, False)]),
    ]
    trials = build_trials(participants)
    # when
    with pytest.raises(NotEstimable) as error:
        fit_accuracy(trials)
    # then
    assert str(error.value) == (
        "no variation in correct_decision within one condition (every decision was incorrect "
        "in the 2 trials with inaccurate advice, radiology): perfect separation, the odds "
        "ratios would be infinite"
    )


def test_an_empty_condition_is_named():
    participants = [
        ("r1", "radiology", "ai", [("A", True, True), ("B", False, False)]),
        ("r2", "radiology", "human", [("A", False, True), ("B", True, False)]),
        ("n1", "non_radiology", "ai", [("A", True, True), ("B", False, True)]),
        ("n2", "non_radiology", "ai", [("A", False, False), ("B", True, True)]),
    ]
    analysis = fit_study(build_trials(participants))
    assert analysis.fits["followed"] == (
        "at least 2 participants per advice label are needed (human has 1); no trials in 2 "
        "conditions (first: inaccurate advice, human label, non_radiology): the model needs "
        "trials in every combination of advice accuracy, label and stratum"
    )


def test_all_accurate_advice_says_there_is_no_inaccurate_advice_contrast():
    participants = [
        (f"p{n}", "radiology", source, [(case, True, n % 2 == 0) for case in "AB"])
        for n, source in enumerate(["ai", "human", "ai", "human"])
    ]
    analysis = fit_study(build_trials(participants, ratings=np.arange(8) % 7 + 1))
    assert "all advice was accurate: no inaccurate-advice contrast, and no susceptibility to " in (
        " ".join(analysis.limits)
    )
    assert analysis.susceptibility.empty
    render_report(analysis, generated_at=WHEN)


def test_ratings_constant_within_every_condition_are_named():
    # given: ratings that differ only between accurate and inaccurate advice
    participants = [
        (f"p{n}", "radiology", "ai", [("A", True, True), ("B", False, n % 2 == 0)])
        for n in range(3)
    ]
    trials = build_trials(participants, ratings=[6, 2] * 3)
    # when / then
    with pytest.raises(NotEstimable) as error:
        fit_rating(trials)
    assert str(error.value) == (
        "no variation in advice_rating within any condition (each combination of advice "
        "accuracy has one value): no variance can be estimated"
    )


def test_participants_with_one_case_each_are_named():
    participants = [
        ("p1", "radiology", "ai", [("A", True, True)]),
        ("p2", "radiology", "ai", [("B", True, False)]),
        ("p3", "radiology", "ai", [("A", True, False)]),
    ]
    trials = build_trials(participants, ratings=[3, 5, 6])
    with pytest.raises(NotEstimable) as error:
        fit_rating(trials)
    assert str(error.value) == (
        "every participant answered only one case: the variance between participants cannot "
        "be told apart from the variance between trials"
    )


def _six_radiologists() -> list:
    return [
        (
            f"p{n}",
            "radiology",
            ["ai", "human"][n % 2],
            [(c, c not in "AB", (n + ord(c)) % 3 == 0) for c in "ABCDEF"],
        )
        for n in range(6)
    ]


def test_a_stratum_level_with_no_observations_is_not_a_model_term():
    # given: stratum as a categorical that declares a level no participant has
    trials = build_trials(
        _six_radiologists(), ratings=np.arange(36) % 7 + 1, confidences=np.arange(36) * 3 % 7 + 1
    )
    trials["stratum"] = pd.Categorical(trials["stratum"], categories=["non_radiology", "radiology"])
    # when
    analysis = fit_study(trials)
    # then: every model is fitted without stratum terms, and the page says why
    assert all(isinstance(fit, StudyFit) for fit in analysis.fits.values())
    assert not any("stratum" in term for term in analysis.fits["rating"].result.term_names())
    assert analysis.limits == (
        "only one stratum has data (radiology): no difference between strata",
    )


def test_a_case_read_by_one_participant_is_fitted():
    participants = _six_radiologists()
    participants[0][3].append(("Z", True, True))  # case Z: one reader only
    trials = build_trials(participants, ratings=np.arange(37) % 7 + 1)
    analysis = fit_study(trials)
    assert dict(analysis.fits["rating"].result.n_groups) == {"participant": 6, "case": 7}


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (
            "advice_rating",
            np.inf,
            "trials: column 'advice_rating': not an integer: inf in data row 4",
        ),
        # confidence may be empty (a study that did not ask); response_ms never is.
        (
            "response_ms",
            np.nan,
            "trials: column 'response_ms': empty value (required) in data row 4",
        ),
        (
            "response_ms",
            -np.inf,
            "trials: column 'response_ms': not an integer: -inf in data row 4",
        ),
    ],
)
def test_nan_and_inf_in_the_inputs_are_refused_naming_the_column_and_row(column, value, message):
    trials = build_trials(_six_radiologists()).astype({column: float})
    trials.loc[3, column] = value
    with pytest.raises(TrialsError) as error:
        fit_study(trials)
    assert str(error.value) == message


def test_the_package_exports_the_typed_error_and_the_checks():
    import analysis
    from analysis import estimable

    assert analysis.NotEstimable is NotEstimable
    assert analysis.model_obstacles is estimable.model_obstacles
    assert analysis.data_limits is estimable.data_limits
