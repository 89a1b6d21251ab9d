"""The result API: study terms, odds ratios, diagnostics, the JSON form and contrasts."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from analysis.mixed import Contrast, ModelError
from tests.analysis.reference import RATING


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
        "term": "Intercept",
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
