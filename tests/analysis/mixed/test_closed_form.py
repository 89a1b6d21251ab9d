"""Closed-form cases: balanced crossed designs, where the ANOVA estimators are the REML
estimates."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.mixed import fit_lmm


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
