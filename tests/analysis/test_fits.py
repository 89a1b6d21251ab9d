import math

import numpy as np
import pandas as pd
import pytest

from analysis.fits import (
    StudyFit,
    cell_vector,
    fit_accuracy,
    fit_model,
    fit_rating,
    study_contrasts,
    study_formula,
)
from analysis.mixed import MixedResult, ModelError, RandomEffect
from analysis.mixed.results import fixed_effects_from

# patsy's order: by degree, then by factor order in the formula
FULL_TERMS = (
    "Intercept",
    "advice_correct[T.True]",
    "advice_source[T.human]",
    "stratum[T.radiology]",
    "advice_correct[T.True]:advice_source[T.human]",
    "advice_correct[T.True]:stratum[T.radiology]",
    "advice_source[T.human]:stratum[T.radiology]",
    "advice_correct[T.True]:advice_source[T.human]:stratum[T.radiology]",
)
LEVELS = {
    "advice_correct": (False, True),
    "advice_source": ("ai", "human"),
    "stratum": ("non_radiology", "radiology"),
}


def _result(betas: dict[str, float], *, terms=FULL_TERMS, family="gaussian") -> MixedResult:
    """An engine result with the given estimates and an identity covariance (SE of L'b = |L|)."""
    beta = np.array([betas.get(term, 0.0) for term in terms])
    vcov = np.eye(len(terms))
    odds = family == "binomial"
    return MixedResult(
        family=family,
        method="REML" if not odds else "Laplace",
        formula="y ~ ...",
        response="y",
        n_obs=100,
        n_groups=(("participant", 10), ("case", 8)),
        fixed_effects=fixed_effects_from(terms, beta, vcov, conf_level=0.95, odds=odds),
        random_effects=(RandomEffect("participant", 1.0, 1.0), RandomEffect("case", 0.0, 0.0)),
        residual_variance=None if odds else 1.0,
        log_likelihood=-1.0,
        aic=2.0,
        bic=3.0,
        deviance=2.0,
        converged=True,
        max_abs_gradient=0.0,
        singular=False,
        n_iterations=1,
        se_method="test",
        warnings=(),
        vcov=vcov,
    )


def _fit(result: MixedResult, levels=LEVELS) -> StudyFit:
    return StudyFit(
        model="rating", response="y", formula=result.formula, result=result, levels=levels
    )


BETAS = {
    "advice_source[T.human]": 0.5,
    "advice_correct[T.True]:advice_source[T.human]": 0.25,
    "advice_source[T.human]:stratum[T.radiology]": -1.0,
    "advice_correct[T.True]:advice_source[T.human]:stratum[T.radiology]": 3.0,
    "Intercept": 7.0,
    "stratum[T.radiology]": 11.0,
}


def test_the_study_formula_crosses_all_three_factors(simulated_trials):
    formula, notes = study_formula(simulated_trials, response="advice_rating")
    assert formula == (
        "advice_rating ~ advice_correct * advice_source * stratum + (1|participant) + (1|case)"
    )
    assert notes == ()


def test_a_single_stratum_drops_the_stratum_terms_with_a_note(simulated_trials):
    radiology = simulated_trials[simulated_trials["stratum"] == "radiology"]
    formula, notes = study_formula(radiology, response="advice_rating")
    assert formula == "advice_rating ~ advice_correct * advice_source + (1|participant) + (1|case)"
    assert notes == (
        "stratum has a single level in the data (radiology): its terms were dropped from the model",
    )


def test_only_accurate_advice_on_one_case_drops_correctness_and_the_case_intercept(
    simulated_trials,
):
    one_case = simulated_trials[
        (simulated_trials["case"] == "C01") & simulated_trials["advice_correct"]
    ]
    formula, notes = study_formula(one_case, response="confidence")
    assert formula == "confidence ~ advice_source * stratum + (1|participant)"
    assert notes == (
        "advice_correct has a single level in the data (True): its terms were dropped from "
        "the model",
        "only one case in the data: (1|case) was dropped",
    )


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (
            {"advice_correct": False, "advice_source": "ai", "stratum": "non_radiology"},
            [1, 0, 0, 0, 0, 0, 0, 0],
        ),
        (
            {"advice_correct": True, "advice_source": "human", "stratum": "radiology"},
            [1, 1, 1, 1, 1, 1, 1, 1],
        ),
        (
            {"advice_correct": True, "advice_source": "human", "stratum": "non_radiology"},
            [1, 1, 1, 0, 1, 0, 0, 0],
        ),
        (
            {"advice_correct": False, "advice_source": "human", "stratum": "radiology"},
            [1, 0, 1, 1, 0, 0, 1, 0],
        ),
        # a factor the cell leaves open counts at its reference level
        ({"advice_source": "human"}, [1, 0, 1, 0, 0, 0, 0, 0]),
    ],
)
def test_cell_vector_reads_treatment_coding_from_term_names(cell, expected):
    assert cell_vector(FULL_TERMS, cell).tolist() == expected


def test_label_contrasts_sum_the_right_terms_by_name():
    # given estimates by term name and an identity covariance
    fit = _fit(_result(BETAS))
    # when
    table = study_contrasts(fit).set_index(["stratum", "advice"])
    # then: human - AI = source + correct:source [+ source:stratum + 3-way] per cell
    expected = {
        ("non_radiology", "inaccurate"): (0.5, 1.0),
        ("non_radiology", "accurate"): (0.75, math.sqrt(2)),
        ("non_radiology", "averaged"): (0.625, math.sqrt(1 + 0.25)),
        ("radiology", "inaccurate"): (-0.5, math.sqrt(2)),
        ("radiology", "accurate"): (2.75, 2.0),
        ("radiology", "averaged"): (1.125, math.sqrt(1 + 0.25 + 1 + 0.25)),
        ("radiology minus non_radiology", "averaged"): (0.5, math.sqrt(1 + 0.25)),
    }
    assert len(table) == len(expected)
    for key, (estimate, std_error) in expected.items():
        assert table.loc[key, "estimate"] == pytest.approx(estimate, abs=1e-12)
        assert table.loc[key, "std_error"] == pytest.approx(std_error, abs=1e-12)
    assert table["odds_ratio"].isna().all()


def test_label_contrasts_do_not_depend_on_term_order():
    shuffled = tuple(reversed(FULL_TERMS))
    in_order = study_contrasts(_fit(_result(BETAS)))
    reordered = study_contrasts(_fit(_result(BETAS, terms=shuffled)))
    pd.testing.assert_frame_equal(in_order, reordered)


def test_binomial_contrasts_carry_odds_ratios():
    table = study_contrasts(_fit(_result(BETAS, family="binomial")))
    row = table[(table["stratum"] == "radiology") & (table["advice"] == "accurate")].iloc[0]
    assert row["odds_ratio"] == pytest.approx(math.exp(2.75))
    assert row["or_ci_low"] == pytest.approx(math.exp(2.75 - 1.959963984540054 * 2.0))
    assert row["contrast"] == "human vs ai label | stratum=radiology, advice=accurate"


def test_no_label_terms_means_no_contrasts():
    terms = ("Intercept", "advice_correct[T.True]")
    fit = _fit(_result({"Intercept": 1.0}, terms=terms))
    assert study_contrasts(fit).empty


def test_rating_model_on_a_simulated_study(simulated_trials):
    # when
    fit = fit_rating(simulated_trials)
    # then
    result = fit.result
    assert result.converged
    assert result.term_names() == FULL_TERMS
    assert [effect.group for effect in result.random_effects] == ["participant", "case"]
    assert result.residual_variance > 0
    assert dict(result.n_groups) == {"participant": 48, "case": 8}
    assert fit.levels == LEVELS
    # the radiology x accurate contrast is the sum of its four terms, with its own SE
    contrasts = study_contrasts(fit).set_index(["stratum", "advice"])
    estimates = {effect.term: effect.estimate for effect in result.fixed_effects}
    summed = [
        "advice_source[T.human]",
        "advice_correct[T.True]:advice_source[T.human]",
        "advice_source[T.human]:stratum[T.radiology]",
        "advice_correct[T.True]:advice_source[T.human]:stratum[T.radiology]",
    ]
    weights = np.array([1.0 if term in summed else 0.0 for term in result.term_names()])
    assert contrasts.loc[("radiology", "accurate"), "estimate"] == pytest.approx(
        sum(estimates[term] for term in summed)
    )
    assert contrasts.loc[("radiology", "accurate"), "std_error"] == pytest.approx(
        math.sqrt(weights @ result.vcov @ weights)
    )


def test_accuracy_model_is_a_binomial_glmm_and_leaves_the_table_alone(simulated_trials):
    before = simulated_trials.copy()
    fit = fit_accuracy(simulated_trials)
    assert fit.result.family == "binomial"
    assert fit.response == "correct_decision"
    assert study_contrasts(fit)["odds_ratio"].notna().all()
    pd.testing.assert_frame_equal(simulated_trials, before)


def test_a_single_stratum_study_is_fitted_without_stratum_terms(simulated_trials):
    radiology = simulated_trials[simulated_trials["stratum"] == "radiology"]
    fit = fit_rating(radiology)
    assert not any("stratum" in term for term in fit.result.term_names())
    contrasts = study_contrasts(fit)
    assert contrasts["stratum"].unique().tolist() == ["radiology"]
    assert contrasts["advice"].tolist() == ["averaged", "inaccurate", "accurate"]


def test_a_formula_can_be_overridden(simulated_trials):
    fit = fit_model(
        simulated_trials,
        model="confidence",
        formula="confidence ~ advice_correct + (1|participant)",
    )
    assert fit.result.term_names() == ("Intercept", "advice_correct[T.True]")
    assert study_contrasts(fit).empty


def test_an_overriding_formula_may_analyse_another_binary_outcome(simulated_trials):
    fit = fit_model(
        simulated_trials,
        model="accuracy",
        formula="correct_diagnosis ~ advice_correct + (1|participant) + (1|case)",
    )
    assert fit.response == "correct_diagnosis"
    assert fit.result.family == "binomial"
    assert fit.result.n_obs == len(simulated_trials)


def test_an_unknown_model_is_refused(simulated_trials):
    with pytest.raises(ModelError) as caught:
        fit_model(simulated_trials, model="speed")
    assert str(caught.value) == (
        "unknown model 'speed' (choose from accuracy, followed, rating, confidence)"
    )
