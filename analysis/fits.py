"""The study's mixed models and the contrasts that answer its questions, built on analysis.mixed.

Rule: formulas and contrast weights are derived from the data and the fitted term names, never
from term positions; a factor with a single level in the data (one stratum, one label, only
accurate advice) is dropped from the model with a note instead of failing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.estimable import model_obstacles
from analysis.mixed import MixedResult, ModelError, NotEstimable, fit_glmm, fit_lmm
from analysis.subsets import model_trials, not_asked, plain_types

__all__ = [
    "FACTORS",
    "MODELS",
    "StudyFit",
    "fit_accuracy",
    "fit_confidence",
    "fit_followed",
    "fit_model",
    "fit_rating",
    "study_contrasts",
    "study_formula",
]

# The study's within/between factors, in the order the formula crosses them.
FACTORS = ("advice_correct", "advice_source", "stratum")
RANDOM = ("participant", "case")

# model name -> (response column, family)
MODELS: dict[str, tuple[str, str]] = {
    "accuracy": ("correct_decision", "binomial"),
    "followed": ("followed_advice", "binomial"),
    "rating": ("advice_rating", "gaussian"),
    "confidence": ("confidence", "gaussian"),
}

_CONTRAST_COLUMNS = [
    "contrast",
    "stratum",
    "advice",
    "estimate",
    "std_error",
    "ci_low",
    "ci_high",
    "z",
    "p",
    "odds_ratio",
    "or_ci_low",
    "or_ci_high",
]


@dataclass(frozen=True)
class StudyFit:
    """A fitted study model: the engine's result plus what the study layer decided around it.

    ``levels`` maps each factor kept in the model to its levels in the data (sorted, so the first
    is the treatment-coding reference); ``notes`` says which terms were dropped and why.
    """

    model: str
    response: str
    formula: str
    result: MixedResult
    levels: Mapping[str, tuple[object, ...]]
    notes: tuple[str, ...] = ()


def study_formula(trials: pd.DataFrame, *, response: str) -> tuple[str, tuple[str, ...]]:
    """The study formula for ``response``, without the factors and random intercepts the data
    cannot support. Returns (formula, notes).

    Full form:
    ``<response> ~ advice_correct * advice_source * stratum + (1|participant) + (1|case)``.
    """
    notes = []
    kept = []
    for factor in FACTORS:
        levels = trials[factor].unique()
        if len(levels) < 2:
            shown = ", ".join(map(_level_text, levels))
            notes.append(
                f"{factor} has a single level in the data ({shown}): "
                f"its terms were dropped from the model"
            )
        else:
            kept.append(factor)
    random = []
    for group in RANDOM:
        count = trials[group].nunique()
        if count < 2:
            notes.append(f"only one {group} in the data: (1|{group}) was dropped")
        else:
            random.append(f"(1|{group})")
    fixed = " * ".join(kept) if kept else "1"
    formula = " + ".join([f"{response} ~ {fixed}", *random])
    return formula, tuple(notes)


def fit_model(
    trials: pd.DataFrame,
    *,
    model: str,
    formula: str | None = None,
    conf_level: float = 0.95,
) -> StudyFit:
    """Fit one of the study's models (accuracy | followed | rating | confidence).

    Binary outcomes: binomial GLMM (logit link, Laplace approximation); rating and confidence:
    Gaussian LMM by REML. ``formula`` overrides the study formula; its response may be another
    column (0/1 or boolean for the binomial models). Raises ModelError when the model cannot be
    fitted: NotEstimable, with the reasons in plain words (analysis.estimable), when the data
    cannot support the study model (too few participants, no variation, an empty condition,
    perfect separation) or the study did not ask the question the model needs. The study models
    are fitted on the trials that showed advice and hold the outcome (analysis.subsets): no-advice
    control trials and questions not asked are left out, and the notes say so.
    """
    if model not in MODELS:
        raise ModelError(f"unknown model {model!r} (choose from {', '.join(MODELS)})")
    response, family = MODELS[model]
    if formula is None:
        missing = not_asked(trials, response)
        if missing:
            raise NotEstimable(missing)
        # Only trials that showed advice and hold the outcome (analysis.subsets).
        trials, left_out = model_trials(trials, response)
        kept = [factor for factor in FACTORS if trials[factor].nunique() >= 2]
        obstacles = model_obstacles(trials, response=response, family=family, factors=kept)
        if obstacles:
            raise NotEstimable("; ".join(obstacles))
        formula, notes = study_formula(trials, response=response)
        notes = left_out + notes
    else:
        notes = ()
        response = formula.split("~", 1)[0].strip() if "~" in formula else response
        if response in trials.columns and trials[response].isna().any():
            trials = trials.loc[trials[response].notna().to_numpy(dtype=bool)]
            trials = trials.reset_index(drop=True)
    # Complete nullable columns (the loader's boolean / Int64) in their plain types.
    data = plain_types(trials, ("advice_correct", response))
    if family == "binomial":
        # The engine takes 0/1 outcomes; booleans are converted here, once, for every caller.
        if response in data.columns and data[response].dtype == bool:
            data[response] = data[response].astype(np.int64)
        result = fit_glmm(formula, data, family="binomial", conf_level=conf_level)
    else:
        if response in data.columns and data[response].dtype.kind in "iub":
            data[response] = data[response].astype(float)
        result = fit_lmm(formula, data, reml=True, conf_level=conf_level)
    levels = {
        factor: tuple(sorted(map(_plain, trials[factor].unique()), key=_level_sort_key))
        for factor in FACTORS
        if factor in trials.columns
    }
    return StudyFit(
        model=model,
        response=response,
        formula=formula,
        result=result,
        levels=levels,
        notes=notes,
    )


def fit_accuracy(
    trials: pd.DataFrame, *, formula: str | None = None, conf_level: float = 0.95
) -> StudyFit:
    """correct_decision ~ advice_correct * advice_source * stratum + (1|participant) + (1|case),
    binomial GLMM (Laplace)."""
    return fit_model(trials, model="accuracy", formula=formula, conf_level=conf_level)


def fit_followed(
    trials: pd.DataFrame, *, formula: str | None = None, conf_level: float = 0.95
) -> StudyFit:
    """followed_advice ~ advice_correct * advice_source * stratum + (1|participant) + (1|case),
    binomial GLMM (Laplace)."""
    return fit_model(trials, model="followed", formula=formula, conf_level=conf_level)


def fit_rating(
    trials: pd.DataFrame, *, formula: str | None = None, conf_level: float = 0.95
) -> StudyFit:
    """advice_rating ~ advice_correct * advice_source * stratum + (1|participant) + (1|case),
    Gaussian LMM (REML)."""
    return fit_model(trials, model="rating", formula=formula, conf_level=conf_level)


def fit_confidence(
    trials: pd.DataFrame, *, formula: str | None = None, conf_level: float = 0.95
) -> StudyFit:
    """confidence ~ advice_correct * advice_source * stratum + (1|participant) + (1|case),
    Gaussian LMM (REML)."""
    return fit_model(trials, model="confidence", formula=formula, conf_level=conf_level)


# --- contrasts -----------------------------------------------------------------------------------

_COMPONENT = re.compile(r"^(?P<factor>[A-Za-z_][A-Za-z0-9_]*)\[T\.(?P<level>.*)\]$")


def cell_vector(terms: tuple[str, ...], cell: Mapping[str, object]) -> np.ndarray:
    """The design-matrix row of one condition cell under treatment coding, from term names.

    A term ``a[T.x]:b[T.y]`` is 1 when the cell has a == x and b == y. Components that are not
    treatment-coded factors of the cell (a covariate, a factor the cell leaves open) count as 0,
    i.e. the covariate is held at 0 / the reference level, which cancels in a difference of cells
    that agree on it.
    """
    vector = np.zeros(len(terms))
    for i, term in enumerate(terms):
        if term == "Intercept":
            vector[i] = 1.0
            continue
        value = 1.0
        for component in term.split(":"):
            match = _COMPONENT.match(component)
            if match is None or match["factor"] not in cell:
                value = 0.0
                break
            if _level_text(cell[match["factor"]]) != match["level"]:
                value = 0.0
                break
        vector[i] = value
    return vector


def study_contrasts(fit: StudyFit) -> pd.DataFrame:
    """Effect of the human (vs AI) label: within each stratum (averaged over accurate and
    inaccurate advice with equal weights, and within each), and its difference between strata.

    Columns: contrast (name), stratum (level, "all", or "A minus B" for the interaction), advice
    (accurate | inaccurate | averaged), estimate, std_error, ci_low, ci_high, z, p, and for
    binomial models odds_ratio, or_ci_low, or_ci_high (NaN for LMMs). Estimates are on the
    model's scale: log-odds for GLMMs, rating points for LMMs. Empty when the model has no
    advice_source terms (a single label in the data).
    """
    result = fit.result
    terms = result.term_names()
    if not any(_mentions(term, "advice_source") for term in terms):
        return pd.DataFrame(columns=_CONTRAST_COLUMNS)
    sources = fit.levels.get("advice_source", ("ai", "human"))
    if "ai" in sources and "human" in sources:
        baseline, other = "ai", "human"
    else:
        baseline, other = sources[0], sources[-1]
    strata = _model_levels(fit, terms, "stratum")
    accuracy = _model_levels(fit, terms, "advice_correct")
    advice_labels = {True: "accurate", False: "inaccurate"}

    def label_effect(stratum: object | None, correct: object | None) -> np.ndarray:
        cell = {}
        if stratum is not None:
            cell["stratum"] = stratum
        if correct is not None:
            cell["advice_correct"] = correct
        with_other = cell_vector(terms, {**cell, "advice_source": other})
        with_baseline = cell_vector(terms, {**cell, "advice_source": baseline})
        return with_other - with_baseline

    def averaged(stratum: object | None) -> np.ndarray:
        if not accuracy:
            return label_effect(stratum, None)
        return np.mean([label_effect(stratum, c) for c in accuracy], axis=0)

    rows = []
    # A dropped single-level stratum still names the rows (the whole table is that stratum).
    only = fit.levels.get("stratum", ())
    everyone = _level_text(only[0]) if len(only) == 1 else "all"
    for stratum in strata or [None]:
        where = everyone if stratum is None else _level_text(stratum)
        vectors = [("averaged", averaged(stratum))]
        vectors += [
            (advice_labels.get(c, _level_text(c)), label_effect(stratum, c)) for c in accuracy
        ]
        for advice, vector in vectors:
            name = f"{other} vs {baseline} label | stratum={where}, advice={advice}"
            rows.append(_contrast_row(result, vector, name, where, advice))
    if len(strata) == 2:
        first, second = strata[1], strata[0]  # non-reference minus reference
        vector = averaged(first) - averaged(second)
        where = f"{_level_text(first)} minus {_level_text(second)}"
        name = f"{other} vs {baseline} label: {where}, advice=averaged"
        rows.append(_contrast_row(result, vector, name, where, "averaged"))
    return pd.DataFrame(rows, columns=_CONTRAST_COLUMNS)


def _contrast_row(
    result: MixedResult, vector: np.ndarray, name: str, stratum: str, advice: str
) -> dict:
    contrast = result.contrast(vector, name=name)
    return {
        "contrast": name,
        "stratum": stratum,
        "advice": advice,
        "estimate": contrast.estimate,
        "std_error": contrast.std_error,
        "ci_low": contrast.ci_low,
        "ci_high": contrast.ci_high,
        "z": contrast.z,
        "p": contrast.p,
        "odds_ratio": np.nan if contrast.odds_ratio is None else contrast.odds_ratio,
        "or_ci_low": np.nan if contrast.or_ci_low is None else contrast.or_ci_low,
        "or_ci_high": np.nan if contrast.or_ci_high is None else contrast.or_ci_high,
    }


def _model_levels(fit: StudyFit, terms: tuple[str, ...], factor: str) -> list[object]:
    """Levels of ``factor`` when the model estimates it, reference level first; else []."""
    if not any(_mentions(term, factor) for term in terms):
        return []
    return list(fit.levels.get(factor, ()))


def _mentions(term: str, factor: str) -> bool:
    return any(
        (match := _COMPONENT.match(component)) is not None and match["factor"] == factor
        for component in term.split(":")
    )


def _plain(level: object) -> object:
    # numpy scalars (np.bool_ from a bool column) become Python values for printing and lookups.
    return level.item() if isinstance(level, np.generic) else level


def _level_text(level: object) -> str:
    # patsy writes levels with str(): booleans as True/False, strings as themselves.
    return str(bool(level)) if isinstance(level, bool | np.bool_) else str(level)


def _level_sort_key(level: object) -> tuple[int, str]:
    # The same order as treatment coding: False < True; strings alphabetically.
    if isinstance(level, bool | np.bool_):
        return (0, str(int(bool(level))))
    return (1, str(level))
