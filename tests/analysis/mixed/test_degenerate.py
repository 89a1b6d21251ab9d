"""Degenerate data (no variation, separation, empty cells, numerical breakdowns) end in a typed
NotEstimable that says what is wrong, never an OverflowError, LinAlgError or IndexError."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.mixed import ModelError, NotEstimable, fit_glmm, fit_lmm
from analysis.mixed import lmm as lmm_module
from analysis.mixed.results import fixed_effects_from, safe_exp, wald


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "y": [0, 1, 1, 0, 1, 0, 1, 1],
            "x": [0, 0, 0, 0, 1, 1, 1, 1],
            "g": list("aabbccdd"),
            "h": list("uvuvuvuv"),
        }
    )


def test_odds_ratios_of_huge_log_odds_are_infinite_not_an_overflow():
    # regression: math.exp(800) raised OverflowError out of the report
    values = wald(800.0, 2.0, conf_level=0.95, odds=True)
    assert (values["odds_ratio"], values["or_ci_low"], values["or_ci_high"]) == (
        math.inf,
        math.inf,
        math.inf,
    )
    assert values["z"] == pytest.approx(400.0)


def test_hugely_negative_log_odds_give_an_odds_ratio_of_zero():
    assert wald(-800.0, 1.0, conf_level=0.95, odds=True)["odds_ratio"] == 0.0
    assert safe_exp(1000.0) == math.inf
    assert safe_exp(0.0) == 1.0


@pytest.mark.parametrize("std_error", [0.0, math.inf, math.nan])
def test_a_standard_error_that_is_zero_infinite_or_nan_gives_no_test(std_error):
    values = wald(1.5, std_error, conf_level=0.95, odds=False)
    assert math.isnan(values["z"])
    assert math.isnan(values["p"])
    assert values["estimate"] == 1.5


def test_fixed_effects_with_a_nan_variance_are_built_without_error():
    vcov = np.array([[np.nan, 0.0], [0.0, 1.0]])
    effects = fixed_effects_from(
        ("a", "b"), np.array([900.0, 1.0]), vcov, conf_level=0.95, odds=True
    )
    assert math.isnan(effects[0].std_error)
    assert effects[0].odds_ratio == math.inf
    assert effects[1].odds_ratio == pytest.approx(math.e)


def test_perfect_separation_is_not_estimable_and_names_the_term():
    # regression: the fit ran the log-odds to infinity and exp() overflowed
    data = _frame().assign(y=[0, 0, 0, 0, 1, 1, 1, 1], g=list("abcdabcd"))
    with pytest.raises(NotEstimable) as error:
        fit_glmm("y ~ x + (1|g)", data)
    assert str(error.value) == (
        "perfect separation: the fixed effects predict 'y' exactly in some rows (along x), so "
        "the maximum-likelihood estimates are infinite"
    )


def test_quasi_complete_separation_of_one_cell_is_not_estimable():
    # one participant, one inaccurate case, whose decision was wrong: that cell is all 0
    # regression: this raised "matrix not positive definite (LAPACK dpotrf info=2)"
    data = pd.DataFrame(
        {
            "correct_decision": [0, 1, 0, 1, 0, 0, 0, 1],
            "advice_correct": [True, True, True, True, False, True, True, True],
            "case": list("ABCDEFGH"),
        }
    )
    with pytest.raises(NotEstimable) as error:
        fit_glmm("correct_decision ~ advice_correct + (1|case)", data)
    assert str(error.value).startswith("perfect separation: the fixed effects predict")


def test_a_separation_check_leaves_overlapping_data_alone():
    result = fit_glmm("y ~ x + (1|g)", _frame())
    assert result.term_names() == ("Intercept", "x")
    assert all(math.isfinite(effect.odds_ratio) for effect in result.fixed_effects)


def test_a_constant_gaussian_response_is_not_estimable():
    # regression: LinAlgError "matrix not positive definite (LAPACK dpotrf info=4)"
    with pytest.raises(NotEstimable) as error:
        fit_lmm("y ~ 1 + (1|g) + (1|h)", _frame().assign(y=4.0))
    assert str(error.value) == "no variation in 'y': it is 4 in every row"


def test_a_response_the_fixed_effects_explain_exactly_is_not_estimable():
    # regression: fitted with standard errors of 1e-24 and p = 0
    data = _frame().assign(y=[1.0, 1, 1, 1, 2, 2, 2, 2])
    with pytest.raises(NotEstimable) as error:
        fit_lmm("y ~ x + (1|g)", data)
    assert str(error.value) == (
        "no variation in 'y' beyond its fixed effects: it is constant within every combination "
        "of them, so no variance can be estimated"
    )


def test_an_empty_condition_cell_is_reported_as_aliased_terms():
    # regression: IndexError in aliased_columns (fewer distinct rows than terms)
    data = pd.DataFrame(
        {
            "y": [1.0, 2.0, 3.0, 2.5, 1.5, 3.5, 2.0, 1.0],
            "a": ["p", "p", "q", "q", "p", "p", "q", "q"],
            "b": ["u", "v", "u", "u", "u", "v", "u", "u"],  # (q, v) never occurs
            "g": list("aabbccdd"),
        }
    )
    with pytest.raises(ModelError) as error:
        fit_lmm("y ~ a * b + (1|g)", data)
    assert str(error.value) == (
        "the fixed effects are rank deficient: 'a[T.q]:b[T.v]' is a linear combination of "
        "earlier terms (aliased); remove or recode them"
    )


def test_an_infinite_gaussian_response_names_the_rows():
    data = _frame().assign(y=[1.0, 2.0, np.inf, 1.0, 2.0, 3.0, -np.inf, 1.0])
    with pytest.raises(ModelError) as error:
        fit_lmm("y ~ 1 + (1|g)", data)
    assert str(error.value) == "response 'y' has 2 infinite value(s); first rows: 2, 6"


def test_an_infinite_covariate_is_refused():
    data = _frame().assign(x=[0.0, 1.0, np.inf, 0.0, 1.0, 0.0, 1.0, 0.0])
    with pytest.raises(ModelError) as error:
        fit_glmm("y ~ x + (1|g)", data)
    assert str(error.value) == (
        "formula 'y ~ x + (1|g)': the fixed-effects design has non-finite values"
    )


def test_a_numerical_breakdown_inside_a_fit_is_not_estimable(monkeypatch):
    # given a factorisation that fails, as on degenerate data
    def fail(self, internal):
        raise np.linalg.LinAlgError("matrix not positive definite (LAPACK dpotrf info=2)")

    monkeypatch.setattr(lmm_module._Profiled, "estimates", fail)
    data = _frame().assign(y=[1.0, 2.0, 3.0, 2.5, 1.5, 3.5, 2.0, 1.0])
    # when / then: one typed error, which keeps the engine's words and says what they mean
    with pytest.raises(NotEstimable) as error:
        fit_lmm("y ~ 1 + (1|g)", data)
    assert str(error.value) == (
        "the model cannot be estimated on these data: the computation broke down (matrix not "
        "positive definite (LAPACK dpotrf info=2)); there are too few observations, or too "
        "little variation, for its terms"
    )
    assert isinstance(error.value.__cause__, np.linalg.LinAlgError)


def test_non_finite_estimates_are_not_estimable(monkeypatch):
    real = lmm_module._Profiled.estimates

    def nan_beta(self, internal):
        beta, sigma2, vcov = real(self, internal)
        return beta * np.nan, sigma2, vcov

    monkeypatch.setattr(lmm_module._Profiled, "estimates", nan_beta)
    data = _frame().assign(y=[1.0, 2.0, 3.0, 2.5, 1.5, 3.5, 2.0, 1.0])
    with pytest.raises(NotEstimable) as error:
        fit_lmm("y ~ 1 + (1|g)", data)
    assert str(error.value).startswith("the model cannot be estimated on these data: the fit")


def test_not_estimable_is_a_model_error():
    assert issubclass(NotEstimable, ModelError)
