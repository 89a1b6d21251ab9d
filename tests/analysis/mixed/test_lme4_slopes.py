"""General random-effects models (random slopes, uncorrelated terms, nested and third factors)
against R lme4 on the committed random-slope datasets.

The reference values were computed by tests/analysis/reference/lme4_slopes.R (glmer with bobyqa,
calc.derivs = TRUE and tolPwrss = 1e-10; lmer by REML and ML). Agreement required: fixed effects
within 1e-3 absolute, standard errors, SDs of the variance components within 1 %, correlations
within 0.01, log-likelihood within 0.01. Where lme4 stopped on the boundary (isSingular) with a
lower likelihood than TrustLab's optimum, the likelihood must be at least lme4's and only the
fixed effects are compared (to 2e-3 and 3 %): the two optima differ in the variance components.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from analysis.mixed import MixedResult, fit_glmm, fit_lmm
from tests.analysis.reference import (
    R_RANDOM_TERMS,
    R_TERMS,
    load_lme4_slopes,
    load_slope_dataset,
)

FIXED = "advice_correct * advice_source * stratum"
MODELS = {
    # name: (fit, response, random part, REML)
    "glmm_slope": (
        fit_glmm,
        "correct_decision",
        "(1 + advice_correct | participant) + (1 | case)",
        None,
    ),
    "lmm_slope_reml": (fit_lmm, "rating", "(1 + advice_correct | participant) + (1 | case)", True),
    "lmm_slope_ml": (fit_lmm, "rating", "(1 + advice_correct | participant) + (1 | case)", False),
    "glmm_uncorrelated": (
        fit_glmm,
        "correct_decision",
        "(1 + ac || participant) + (1 | case)",
        None,
    ),
    "glmm_case_slope": (
        fit_glmm,
        "correct_decision",
        "(1 + advice_correct | participant) + (1 + advice_source | case)",
        None,
    ),
    "glmm_nested": (fit_glmm, "correct_decision", "(1 | site/participant) + (1 | case)", None),
    "lmm_case_slope_reml": (
        fit_lmm,
        "rating",
        "(1 + advice_correct | participant) + (1 + advice_source | case)",
        True,
    ),
    "lmm_nested_reml": (fit_lmm, "rating", "(1 | site/participant) + (1 | case)", True),
    "lmm_uncorrelated_reml": (fit_lmm, "rating", "(1 + ac || participant) + (1 | case)", True),
}
CASES = [(name, "265x8") for name in MODELS] + [
    (name, "1000x20") for name in ("glmm_slope", "lmm_slope_reml", "lmm_slope_ml")
]


@functools.cache
def fitted(name: str, size: str) -> MixedResult:
    fit, response, random, reml = MODELS[name]
    data = load_slope_dataset(size)
    formula = f"{response} ~ {FIXED} + {random}"
    if reml is None:
        return fit(formula, data)
    return fit(formula, data, reml=reml)


def _group(name: str) -> str:
    # lme4 names (1 | site/participant)'s inner factor "participant:site", and the second
    # term of a || split "participant.1".
    return ":".join(sorted(name.split(".")[0].split(":")))


def _reference_varcorr(reference: dict) -> tuple[dict, dict, float | None]:
    vc = reference["varcorr"]
    sds, correlations, residual = {}, {}, None
    for grp, var1, var2, sdcor in zip(vc["grp"], vc["var1"], vc["var2"], vc["sdcor"], strict=True):
        if grp == "Residual":
            residual = sdcor
        elif var2:
            key = (_group(grp), R_RANDOM_TERMS[var1], R_RANDOM_TERMS[var2])
            correlations[key] = sdcor
        else:
            sds[(_group(grp), R_RANDOM_TERMS[var1])] = sdcor
    return sds, correlations, residual


def _lme4_on_boundary_below(result: MixedResult, reference: dict) -> bool:
    return reference["singular"] and result.log_likelihood > reference["log_likelihood"] + 1e-3


@pytest.mark.parametrize(("name", "size"), CASES)
def test_fixed_effects_and_standard_errors(name, size):
    result, reference = fitted(name, size), load_lme4_slopes(size)["models"][name]
    assert [R_TERMS[t] for t in result.term_names()] == reference["terms"]
    loose = _lme4_on_boundary_below(result, reference)
    estimates = np.array([e.estimate for e in result.fixed_effects])
    errors = np.array([e.std_error for e in result.fixed_effects])
    np.testing.assert_allclose(estimates, reference["estimate"], atol=2e-3 if loose else 1e-3)
    np.testing.assert_allclose(errors, reference["std_error"], rtol=3e-2 if loose else 1e-2)


@pytest.mark.parametrize(("name", "size"), CASES)
def test_variance_components_and_likelihood(name, size):
    result, reference = fitted(name, size), load_lme4_slopes(size)["models"][name]
    if _lme4_on_boundary_below(result, reference):
        # lme4's optimum is on the boundary and worse than ours: ours is at least as good,
        # by less than the Done-when's 0.02, and lme4 calls its own fit singular.
        assert (
            reference["log_likelihood"]
            <= result.log_likelihood
            < reference["log_likelihood"] + 0.02
        )
        return
    assert result.log_likelihood == pytest.approx(reference["log_likelihood"], abs=1e-2)
    sds, correlations, residual = _reference_varcorr(reference)
    ours = {(_group(e.group), e.term): e.sd for e in result.random_effects}
    assert set(ours) == set(sds)
    for key, sd in sds.items():
        assert ours[key] == pytest.approx(sd, rel=1e-2, abs=1e-4), key
    ours_corr = {(_group(c.group), c.term1, c.term2): c.correlation for c in result.correlations}
    assert set(ours_corr) == set(correlations)
    for key, value in correlations.items():
        assert ours_corr[key] == pytest.approx(value, abs=1e-2), key
    if residual is not None:
        assert math.sqrt(result.residual_variance) == pytest.approx(residual, rel=1e-3)
    assert result.singular == reference["singular"]
    assert result.converged


def test_json_reports_varcorr_rows_as_lme4():
    result = fitted("lmm_slope_reml", "265x8")
    rows = result.to_dict()["random_effects"]
    variances = [row for row in rows if "variance" in row]
    correlation_rows = [row for row in rows if "correlation" in row]
    assert [(r["group"], r["term"]) for r in variances] == [
        ("participant", "Intercept"),
        ("participant", "advice_correct[T.True]"),
        ("case", "Intercept"),
    ]
    assert all(r["sd"] == pytest.approx(math.sqrt(r["variance"])) for r in variances)
    assert correlation_rows == [
        {
            "group": "participant",
            "term1": "Intercept",
            "term2": "advice_correct[T.True]",
            "correlation": pytest.approx(result.correlations[0].correlation),
        }
    ]
