"""Crossed mixed models: closed-form cases, API behaviour and exact error messages.

Agreement with R lme4 is in test_mixed_lme4.py; with statsmodels in test_mixed_statsmodels.py.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.mixed import Contrast, MixedResult, ModelError, fit_glmm, fit_lmm
from analysis.mixed import glmm as glmm_module
from analysis.mixed import laplace as laplace_module
from analysis.mixed.blocks import Crossed
from analysis.mixed.design import build_design
from analysis.mixed.laplace import Laplace
from tests.analysis.reference import ACCURACY, R_TERMS, RATING, load_dataset, load_lme4


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    return load_dataset("265x8")


@pytest.fixture(scope="module")
def accuracy_fit(small) -> MixedResult:
    return fit_glmm(ACCURACY, small)


@pytest.fixture(scope="module")
def rating_fit(small) -> MixedResult:
    return fit_lmm(RATING, small)


def crossed_balanced(n_participants: int, n_cases: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    participant_effect = rng.normal(0.0, 1.0, n_participants)
    case_effect = rng.normal(0.0, 0.7, n_cases)
    rows = [
        {
            "participant": f"p{p}",
            "case": f"c{c}",
            "rating": 3.0 + participant_effect[p] + case_effect[c] + rng.normal(0.0, 0.8),
        }
        for p in range(n_participants)
        for c in range(n_cases)
    ]
    return pd.DataFrame(rows)


# --- closed form: balanced designs, where the ANOVA estimators are the REML estimates ---------


def test_balanced_one_way_lmm_equals_anova_estimators():
    # given a balanced one-way layout (12 groups x 6 observations)
    rng = np.random.default_rng(7)
    groups, per_group = 12, 6
    effect = rng.normal(0.0, 1.2, groups)
    y = 10.0 + np.repeat(effect, per_group) + rng.normal(0.0, 1.0, groups * per_group)
    data = pd.DataFrame({"y": y, "g": np.repeat([f"g{i:02d}" for i in range(groups)], per_group)})
    means = y.reshape(groups, per_group).mean(axis=1)
    ms_between = per_group * ((means - y.mean()) ** 2).sum() / (groups - 1)
    ms_within = ((y.reshape(groups, per_group) - means[:, None]) ** 2).sum() / (
        groups * (per_group - 1)
    )
    n = groups * per_group
    reml_log_likelihood = -0.5 * (
        (n - 1) * math.log(2 * math.pi)
        + groups * (per_group - 1) * math.log(ms_within)
        + (groups - 1) * math.log(ms_between)
        + math.log(n)
        + n
        - 1
    )
    assert ms_between > ms_within  # the ANOVA estimate is interior, so it is the REML one

    # when
    result = fit_lmm("y ~ 1 + (1|g)", data)

    # then
    assert result.fixed_effects[0].estimate == pytest.approx(y.mean(), abs=1e-9)
    assert result.fixed_effects[0].std_error == pytest.approx(math.sqrt(ms_between / n), rel=1e-6)
    assert result.residual_variance == pytest.approx(ms_within, rel=1e-6)
    assert result.random_effects[0].variance == pytest.approx(
        (ms_between - ms_within) / per_group, rel=1e-5
    )
    assert result.log_likelihood == pytest.approx(reml_log_likelihood, abs=1e-8)


def test_balanced_crossed_lmm_equals_anova_estimators():
    # given a complete participant x case table, one rating per cell
    data = crossed_balanced(30, 8, seed=11)
    table = data.pivot(index="participant", columns="case", values="rating").to_numpy()
    P, C = table.shape
    grand = table.mean()
    ms_participant = C * ((table.mean(axis=1) - grand) ** 2).sum() / (P - 1)
    ms_case = P * ((table.mean(axis=0) - grand) ** 2).sum() / (C - 1)
    interaction = table - table.mean(axis=1)[:, None] - table.mean(axis=0)[None, :] + grand
    ms_error = (interaction**2).sum() / ((P - 1) * (C - 1))
    var_participant = (ms_participant - ms_error) / C
    var_case = (ms_case - ms_error) / P
    assert var_participant > 0
    assert var_case > 0

    # when
    result = fit_lmm("rating ~ 1 + (1|participant) + (1|case)", data)

    # then
    assert [effect.group for effect in result.random_effects] == ["participant", "case"]
    assert result.residual_variance == pytest.approx(ms_error, rel=1e-5)
    assert result.random_effects[0].variance == pytest.approx(var_participant, rel=1e-5)
    assert result.random_effects[1].variance == pytest.approx(var_case, rel=1e-5)
    assert result.fixed_effects[0].estimate == pytest.approx(grand, abs=1e-9)
    assert result.fixed_effects[0].std_error == pytest.approx(
        math.sqrt(var_participant / P + var_case / C + ms_error / (P * C)), rel=1e-5
    )
    assert result.se_method == "exact"
    assert result.method == "REML"
    assert result.n_groups == (("participant", 30), ("case", 8))


def test_crossed_lmm_with_equal_case_means_is_a_singular_fit():
    # given ratings whose case means are all equal: the case variance estimate is exactly 0
    data = crossed_balanced(20, 5, seed=3)
    data["rating"] -= data.groupby("case")["rating"].transform("mean")

    # when
    result = fit_lmm("rating ~ 1 + (1|participant) + (1|case)", data)

    # then
    assert result.singular is True
    assert result.random_effects[1].variance == 0.0
    assert result.warnings == ("singular fit: the variance of 'case' is estimated as (near) 0",)


# --- the GLMM internals: exact gradient of the Laplace deviance ---------------------------------


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


# --- result API -------------------------------------------------------------------------------


def test_glmm_result_carries_study_terms_odds_ratios_and_diagnostics(accuracy_fit):
    assert accuracy_fit.term_names() == (
        "Intercept",
        "advice_correct[T.True]",
        "advice_source[T.human]",
        "stratum[T.radiology]",
        "advice_correct[T.True]:advice_source[T.human]",
        "advice_correct[T.True]:stratum[T.radiology]",
        "advice_source[T.human]:stratum[T.radiology]",
        "advice_correct[T.True]:advice_source[T.human]:stratum[T.radiology]",
    )
    assert (accuracy_fit.family, accuracy_fit.method, accuracy_fit.se_method) == (
        "binomial",
        "Laplace",
        "hessian",
    )
    assert accuracy_fit.response == "correct_decision"
    assert accuracy_fit.n_obs == 2120
    assert accuracy_fit.n_groups == (("participant", 265), ("case", 8))
    assert accuracy_fit.residual_variance is None
    assert accuracy_fit.converged
    assert not accuracy_fit.singular
    assert accuracy_fit.max_abs_gradient < 1e-3
    assert accuracy_fit.warnings == ()
    assert accuracy_fit.aic == pytest.approx(-2 * accuracy_fit.log_likelihood + 2 * 10)
    assert accuracy_fit.bic == pytest.approx(-2 * accuracy_fit.log_likelihood + math.log(2120) * 10)
    effect = accuracy_fit.fixed_effects[1]
    assert effect.odds_ratio == pytest.approx(math.exp(effect.estimate))
    assert effect.or_ci_low == pytest.approx(math.exp(effect.ci_low))
    assert effect.ci_high - effect.estimate == pytest.approx(1.959963984540054 * effect.std_error)
    assert effect.z == pytest.approx(effect.estimate / effect.std_error)
    assert effect.p == pytest.approx(math.erfc(abs(effect.z) / math.sqrt(2)))


def test_fixed_table_columns_follow_the_family(accuracy_fit, rating_fit):
    assert list(accuracy_fit.fixed_table().columns) == [
        "term", "estimate", "std_error", "ci_low", "ci_high", "z", "p",
        "odds_ratio", "or_ci_low", "or_ci_high",
    ]  # fmt: skip
    table = rating_fit.fixed_table()
    assert list(table.columns) == ["term", "estimate", "std_error", "ci_low", "ci_high", "z", "p"]
    assert table["term"].tolist() == list(rating_fit.term_names())
    assert table["estimate"].tolist() == [e.estimate for e in rating_fit.fixed_effects]


def test_to_dict_is_json_ready_with_the_cli_fields(rating_fit):
    summary = json.loads(json.dumps(rating_fit.to_dict()))
    assert set(summary) == {
        "formula", "family", "method", "response", "n_obs", "n_groups", "fixed_effects",
        "random_effects", "residual_variance", "log_likelihood", "aic", "bic", "deviance",
        "converged", "singular", "max_abs_gradient", "n_iterations", "se_method", "conf_level",
        "warnings",
    }  # fmt: skip
    assert summary["formula"] == RATING
    assert summary["n_groups"] == {"participant": 265, "case": 8}
    assert list(summary["fixed_effects"][0]) == [
        "term", "estimate", "std_error", "ci_low", "ci_high", "z", "p",
    ]  # fmt: skip
    assert summary["random_effects"][0] == {
        "group": "participant",
        "variance": rating_fit.random_effects[0].variance,
        "sd": rating_fit.random_effects[0].sd,
    }
    assert summary["residual_variance"] == rating_fit.residual_variance


def test_contrast_of_one_term_reproduces_its_fixed_effect(accuracy_fit):
    term = "advice_source[T.human]"
    contrast = accuracy_fit.contrast({term: 1.0}, name="AI label, non-radiology")
    effect = accuracy_fit.fixed_effects[2]
    assert contrast == Contrast(
        name="AI label, non-radiology",
        estimate=effect.estimate,
        std_error=effect.std_error,
        ci_low=effect.ci_low,
        ci_high=effect.ci_high,
        z=effect.z,
        p=effect.p,
        odds_ratio=effect.odds_ratio,
        or_ci_low=effect.or_ci_low,
        or_ci_high=effect.or_ci_high,
    )


def test_contrast_of_two_terms_uses_their_covariance(rating_fit):
    # human vs AI label within radiology = source main effect + source:stratum interaction
    weights = np.zeros(8)
    weights[[2, 6]] = 1.0
    contrast = rating_fit.contrast(weights, name="label within radiology")
    v = rating_fit.vcov
    assert contrast.estimate == pytest.approx(
        rating_fit.fixed_effects[2].estimate + rating_fit.fixed_effects[6].estimate
    )
    assert contrast.std_error == pytest.approx(math.sqrt(v[2, 2] + v[6, 6] + 2 * v[2, 6]))
    assert contrast.odds_ratio is None
    by_name = rating_fit.contrast(
        {"advice_source[T.human]": 1, "advice_source[T.human]:stratum[T.radiology]": 1},
        name="same",
    )
    assert by_name.std_error == contrast.std_error


def test_contrast_rejects_unknown_terms_and_wrong_lengths(rating_fit):
    with pytest.raises(ModelError) as error:
        rating_fit.contrast({"advice_source[T.ai]": 1.0}, name="typo")
    assert str(error.value) == (
        "contrast 'typo': unknown term(s) 'advice_source[T.ai]'; the model's terms are "
        + ", ".join(rating_fit.term_names())
    )
    with pytest.raises(
        ModelError, match=r"^contrast 'short': expected 8 weights \(one per term\), got 3$"
    ):
        rating_fit.contrast([1.0, 0.0, 1.0], name="short")


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


# --- invariants ------------------------------------------------------------------------------


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


# --- errors ----------------------------------------------------------------------------------


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "y": [0, 1, 1, 0, 1, 0, 1, 1],
            "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
            "g": ["a", "a", "b", "b", "c", "c", "d", "d"],
            "h": ["u", "v", "u", "v", "u", "v", "u", "v"],
        }
    )


@pytest.mark.parametrize(
    ("formula", "groups", "message"),
    [
        (
            "y ~ z + (1|g)",
            None,
            "formula 'y ~ z + (1|g)': unknown column 'z'; the data has columns g, h, x, y",
        ),
        (
            "w ~ x + (1|g)",
            None,
            "formula 'w ~ x + (1|g)': unknown column 'w'; the data has columns g, h, x, y",
        ),
        (
            "y ~ x + (1|k)",
            None,
            "formula 'y ~ x + (1|k)': unknown column 'k'; the data has columns g, h, x, y",
        ),
        (
            "y ~ x + (x|g)",
            None,
            "formula 'y ~ x + (x|g)': random-effects term '(x|g)' is not supported; "
            "supported: (1|group) random intercepts, one or two crossed groups",
        ),
        (
            "y ~ x + (1||g)",
            None,
            "formula 'y ~ x + (1||g)': random-effects term '(1||g)' is not supported; "
            "supported: (1|group) random intercepts, one or two crossed groups",
        ),
        (
            "y ~ x + (1|g:h)",
            None,
            "formula 'y ~ x + (1|g:h)': random-effects term '(1|g:h)' must name one column; "
            "supported: (1|group) random intercepts, one or two crossed groups",
        ),
        (
            "y ~ x + (1|g) + (1|h) + (1|x)",
            None,
            "3 random intercepts given (g, h, x); "
            "supported: (1|group) random intercepts, one or two crossed groups",
        ),
        (
            "y ~ x",
            None,
            "formula 'y ~ x' has no random intercept; add (1|group) terms or pass groups=",
        ),
        (
            "y ~ x + (1|g)",
            ("h",),
            "give the random intercepts either in the formula or as groups=, not both "
            "(formula has g; groups=('h',))",
        ),
        ("y ~ x ~ g", None, "formula 'y ~ x ~ g' must have exactly one '~' (response ~ terms)"),
    ],
)
def test_bad_formulas_are_refused_with_a_clear_message(formula, groups, message):
    with pytest.raises(ModelError) as error:
        fit_glmm(formula, _frame(), groups=groups)
    assert str(error.value) == message


def test_binomial_response_must_be_zero_one():
    data = _frame().assign(y=[0, 1, 2, 0, 1, 0, 1, 1])
    with pytest.raises(ModelError) as error:
        fit_glmm("y ~ x + (1|g)", data)
    assert str(error.value) == (
        "response 'y' must be 0/1 or boolean for the binomial family; found 2.0 (first rows: 2)"
    )


def test_group_with_one_level_is_refused():
    data = _frame().assign(g="only")
    with pytest.raises(ModelError) as error:
        fit_glmm("y ~ x + (1|g)", data)
    assert str(error.value) == (
        "random intercept group 'g' has only one level ('only'); "
        "a random intercept needs at least two"
    )


def test_rank_deficient_design_names_the_aliased_term():
    data = _frame().assign(x2=lambda frame: 2.0 * frame["x"] + 1.0)
    with pytest.raises(ModelError) as error:
        fit_glmm("y ~ x + x2 + (1|g)", data)
    assert str(error.value) == (
        "the fixed effects are rank deficient: 'x2' is a linear combination of earlier terms "
        "(aliased); remove or recode them"
    )


def test_missing_values_in_a_used_column_name_the_column_and_rows():
    data = _frame()
    data.loc[[3, 6], "x"] = np.nan
    with pytest.raises(ModelError) as error:
        fit_glmm("y ~ x + (1|g)", data)
    assert str(error.value) == "column 'x' has 2 missing value(s); first rows: 3, 6"


def test_missing_values_in_an_unused_column_are_ignored():
    data = _frame().assign(unused=np.nan)
    assert fit_lmm("x ~ 1 + (1|g)", data).n_obs == 8


def test_gaussian_family_is_sent_to_fit_lmm():
    with pytest.raises(ModelError) as error:
        fit_glmm("x ~ 1 + (1|g)", _frame(), family="gaussian")
    assert str(error.value) == (
        "family 'gaussian' is not supported by fit_glmm: only 'binomial' (logit); "
        "use fit_lmm for a Gaussian response"
    )


def test_lmm_response_must_be_numeric():
    with pytest.raises(ModelError) as error:
        fit_lmm("h ~ x + (1|g)", _frame())
    assert str(error.value) == "response 'h' must be numeric for a linear mixed model"


def test_constant_binomial_response_is_refused():
    with pytest.raises(ModelError) as error:
        fit_glmm("y ~ x + (1|g)", _frame().assign(y=1))
    assert str(error.value) == (
        "response 'y' is constant (1 in every row); a logistic model cannot be fitted"
    )


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


def test_more_cases_than_participants_eliminates_the_case_block_and_agrees_with_anova():
    # given 6 participants who each read 40 cases: the case block is now the larger, diagonal one
    data = crossed_balanced(6, 40, seed=5)
    table = data.pivot(index="participant", columns="case", values="rating").to_numpy()
    P, C = table.shape
    grand = table.mean()
    ms_participant = C * ((table.mean(axis=1) - grand) ** 2).sum() / (P - 1)
    ms_case = P * ((table.mean(axis=0) - grand) ** 2).sum() / (C - 1)
    interaction = table - table.mean(axis=1)[:, None] - table.mean(axis=0)[None, :] + grand
    ms_error = (interaction**2).sum() / ((P - 1) * (C - 1))

    # when
    result = fit_lmm("rating ~ 1 + (1|participant) + (1|case)", data)

    # then
    assert result.random_effects[0].variance == pytest.approx(
        (ms_participant - ms_error) / C, rel=1e-5
    )
    assert result.random_effects[1].variance == pytest.approx((ms_case - ms_error) / P, rel=1e-5)
    assert result.residual_variance == pytest.approx(ms_error, rel=1e-5)


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
