"""How the fit behaves: the exact Laplace gradient, equivalent specifications, invariants,
singular fits and the warnings a fit that cannot be trusted carries.

Agreement with R lme4 is in test_lme4.py; with statsmodels in test_statsmodels.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.mixed import fit_glmm, fit_lmm
from analysis.mixed import glmm as glmm_module
from analysis.mixed import laplace as laplace_module
from analysis.mixed.blocks import Crossed
from analysis.mixed.design import build_design
from analysis.mixed.laplace import Laplace
from tests.analysis.reference import ACCURACY, R_TERMS, RATING, load_lme4


@pytest.mark.parametrize("theta", [(0.8, 0.4), (0.3, 1.1), (0.0, 0.5)])
def test_laplace_gradient_equals_finite_differences(small, theta):
    # given the Laplace deviance of the study model at an arbitrary (θ, β)
    design = build_design(ACCURACY, small, groups=None, family="binomial")
    laplace = Laplace(design, Crossed(design.group_codes, design.group_sizes))
    point = np.concatenate([theta, np.linspace(-0.5, 0.6, design.X.shape[1])])

    def deviance(x):
        return laplace.pirls(x[:2], x[2:], None, joint=False).laplace

    # when
    mode = laplace.pirls(point[:2], point[2:], None, joint=False)
    exact = laplace.gradient(point[:2], mode)
    step = 1e-5
    numeric = np.array(
        [
            (deviance(point + step * unit) - deviance(point - step * unit)) / (2 * step)
            for unit in np.eye(point.size)
        ]
    )

    # then
    assert mode.converged
    np.testing.assert_allclose(exact, numeric, rtol=1e-6, atol=1e-5)


def test_groups_argument_equals_random_terms_in_the_formula(small, rating_fit):
    fixed_only = RATING.split(" + (1|")[0]
    result = fit_lmm(fixed_only, small, groups=("participant", "case"))
    assert result.term_names() == rating_fit.term_names()
    np.testing.assert_allclose(
        [e.estimate for e in result.fixed_effects],
        [e.estimate for e in rating_fit.fixed_effects],
        rtol=0,
        atol=1e-12,
    )
    assert result.log_likelihood == pytest.approx(rating_fit.log_likelihood, abs=1e-10)


def test_one_random_intercept_glmm_is_fitted_and_beats_the_crossed_model_in_deviance(
    small, accuracy_fit
):
    # The crossed model nests the one-group model (case variance 0): its deviance is no larger.
    formula = "correct_decision ~ advice_correct * advice_source * stratum + (1|participant)"
    result = fit_glmm(formula, small)
    assert result.n_groups == (("participant", 265),)
    assert result.converged
    assert result.deviance >= accuracy_fit.deviance - 1e-6


def test_ml_fit_shrinks_the_residual_variance_relative_to_reml(small, rating_fit):
    ml = fit_lmm(RATING, small, reml=False)
    assert ml.method == "ML"
    # ML variance components shrink relative to REML (divide by n instead of n - p).
    assert ml.residual_variance < rating_fit.residual_variance
    assert ml.aic == pytest.approx(-2 * ml.log_likelihood + 2 * 11)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1))
def test_row_order_and_level_names_do_not_change_the_fit(small, seed):
    # given the same trials shuffled, with participants renamed
    rng = np.random.default_rng(seed)
    subset = small[small["participant"] < "p00060"]
    shuffled = subset.sample(frac=1.0, random_state=rng).reset_index(drop=True)
    mapping = {name: f"x{rng.integers(1e9)}-{name}" for name in shuffled["participant"].unique()}
    shuffled["participant"] = shuffled["participant"].map(mapping)

    # when
    original = fit_glmm(ACCURACY, subset)
    permuted = fit_glmm(ACCURACY, shuffled)

    # then
    np.testing.assert_allclose(
        [e.estimate for e in permuted.fixed_effects],
        [e.estimate for e in original.fixed_effects],
        atol=1e-5,
    )
    assert permuted.log_likelihood == pytest.approx(original.log_likelihood, abs=1e-6)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    shift=st.floats(-50, 50, allow_nan=False),
    scale=st.floats(0.05, 20, allow_nan=False),
)
def test_lmm_is_equivariant_under_affine_changes_of_the_rating(small, shift, scale):
    # given the rating model and the same ratings on another affine scale
    base = fit_lmm(RATING, small)
    moved = fit_lmm(RATING, small.assign(rating=shift + scale * small["rating"]))

    # then slopes and SEs scale, the intercept also shifts, variances scale by scale²
    expected = np.array([e.estimate for e in base.fixed_effects]) * scale
    expected[0] += shift
    np.testing.assert_allclose(
        [e.estimate for e in moved.fixed_effects], expected, rtol=1e-6, atol=1e-6 * abs(shift)
    )
    np.testing.assert_allclose(
        [e.std_error for e in moved.fixed_effects],
        [e.std_error * scale for e in base.fixed_effects],
        rtol=1e-5,
    )
    for ours, reference in zip(moved.random_effects, base.random_effects, strict=True):
        assert ours.variance == pytest.approx(reference.variance * scale**2, rel=1e-5)
    assert moved.residual_variance == pytest.approx(base.residual_variance * scale**2, rel=1e-6)


def test_glmm_with_no_case_variation_is_a_singular_fit_with_a_warning():
    # given binary outcomes simulated with a participant effect only
    rng = np.random.default_rng(1)
    participant, case = np.repeat(np.arange(60), 6), np.tile(np.arange(6), 60)
    x = rng.integers(0, 2, participant.size).astype(bool)
    eta = -0.2 + 0.8 * x + rng.normal(0.0, 1.0, 60)[participant]
    data = pd.DataFrame(
        {
            "y": rng.random(participant.size) < 1.0 / (1.0 + np.exp(-eta)),
            "x": x,
            "participant": participant,
            "case": case,
        }
    )

    # when
    result = fit_glmm("y ~ x + (1|participant) + (1|case)", data)

    # then
    assert result.singular is True
    assert result.random_effects[1].variance == 0.0
    assert result.random_effects[0].variance > 0.5
    assert result.converged
    assert result.warnings == ("singular fit: the variance of 'case' is estimated as (near) 0",)
    assert result.term_names() == ("Intercept", "x[T.True]")


@pytest.mark.parametrize("fit", [fit_glmm, fit_lmm])
def test_random_intercepts_are_reported_in_formula_order_whichever_block_is_eliminated(small, fit):
    # given the study model with its random terms listed case first
    response = "correct_decision" if fit is fit_glmm else "rating"
    formula = f"{response} ~ advice_correct * advice_source * stratum"
    usual = fit(formula + " + (1|participant) + (1|case)", small)

    # when
    reversed_order = fit(formula + " + (1|case) + (1|participant)", small)

    # then the same fit, with the components listed as asked
    assert reversed_order.n_groups == (("case", 8), ("participant", 265))
    assert [e.group for e in reversed_order.random_effects] == ["case", "participant"]
    assert reversed_order.random_effects[0].variance == pytest.approx(
        usual.random_effects[1].variance, rel=1e-6
    )
    assert reversed_order.random_effects[1].variance == pytest.approx(
        usual.random_effects[0].variance, rel=1e-6
    )
    assert reversed_order.log_likelihood == pytest.approx(usual.log_likelihood, abs=1e-8)


def test_pirls_failures_are_reported_as_warnings(small, monkeypatch):
    # given PIRLS allowed no Newton step at all, so it can only stop where it starts
    monkeypatch.setattr(laplace_module, "PIRLS_MAX_ITER", 0)

    # when
    result = fit_glmm(ACCURACY, small)

    # then the fit says its numbers are not to be trusted
    assert any(warning.startswith("PIRLS did not converge") for warning in result.warnings)


def test_without_a_positive_definite_hessian_the_ses_are_lme4s_conditional_ones(small, monkeypatch):
    # given a Hessian that cannot be inverted (forced here; it happens near boundaries)
    def refuse(hessian, k):
        raise np.linalg.LinAlgError("the Hessian is not positive definite")

    monkeypatch.setattr(glmm_module, "hessian_vcov", refuse)

    # when
    result = fit_glmm(ACCURACY, small)

    # then the θ-conditional SEs are reported, said so, and equal lme4's use.hessian = FALSE
    lme4 = load_lme4("265x8")["models"]["glmm_laplace"]
    by_r_term = {R_TERMS[e.term]: e.std_error for e in result.fixed_effects}
    np.testing.assert_allclose(
        [by_r_term[term] for term in lme4["terms"]], lme4["conditional_std_error"], rtol=1e-3
    )
    assert result.se_method == "conditional"
    assert result.warnings == (
        "the Hessian of the Laplace deviance is not positive definite; standard errors are "
        "θ-conditional (lme4's use.hessian = FALSE)",
    )
