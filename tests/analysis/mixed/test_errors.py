"""Bad models and bad data are refused with exact messages that say what is wrong."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.mixed import ModelError, fit_glmm, fit_lmm


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
            "y ~ x + (z|g)",
            None,
            "formula 'y ~ x + (z|g)': unknown column 'z'; the data has columns g, h, x, y",
        ),
        (
            "y ~ x + ( | g)",
            None,
            "formula 'y ~ x + ( | g)': random-effects term '( | g)' has no terms",
        ),
        (
            "y ~ x + (1|g+h)",
            None,
            "formula 'y ~ x + (1|g+h)': the grouping factor of '(1|g+h)' must be a column, a:b "
            "or a/b",
        ),
        (
            "y ~ x + (1|g/h:x)",
            None,
            "formula 'y ~ x + (1|g/h:x)': '(1|g/h:x)' mixes ':' and '/' in its group",
        ),
        (
            "y ~ x + (1 + x|g) + (x|g)",
            None,
            "formula 'y ~ x + (1 + x|g) + (x|g)': 'Intercept' appears twice in the random "
            "effects of 'g'",
        ),
        (
            "y ~ x + (1|g) + (1|g)",
            None,
            "formula 'y ~ x + (1|g) + (1|g)': 'Intercept' appears twice in the random effects "
            "of 'g'",
        ),
        (
            "y ~ x",
            None,
            "formula 'y ~ x' has no random effects; add (1|group) terms or pass groups=",
        ),
        (
            "y ~ x + (1|g)",
            ("h",),
            "give the random effects either in the formula or as groups=, not both "
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
