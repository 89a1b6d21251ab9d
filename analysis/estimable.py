"""What the study's models need from the data, said in plain words before anything is fitted.

Rule: a model is fitted only when the data can support it. Otherwise the reasons say what is
missing in the study's own terms ("at least 2 participants per stratum", "no variation in
followed_advice", "only one arm has data"), so a report of a pilot with one participant shows
them next to its descriptive tables instead of an engine's numerical complaint.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.subsets import NO_ADVICE, advice_trials, not_asked

__all__ = ["MIN_PARTICIPANTS", "cell_text", "data_limits", "model_obstacles"]

# Participants needed in each stratum and under each label: with one, the stratum's (or the
# label's) effect cannot be told apart from that one person's random intercept.
MIN_PARTICIPANTS = 2

_OUTCOME_WORDS = {
    "correct_decision": ("every decision was correct", "every decision was incorrect"),
    "followed_advice": ("all advice was followed", "no advice was followed"),
}


# A question the study did not ask, and what that leaves out of the report.
_NOT_ASKED_SHOWS = {
    "advice_rating": "rating table or model",
    "confidence": "confidence table or model",
    "correct_decision": "decision accuracy or its model",
    "followed_advice": "susceptibility to inaccurate advice or model of following it",
}


def cell_text(cell: dict[str, object]) -> str:
    """A condition cell in words: "inaccurate advice, AI label, radiology"."""
    words = []
    if "advice_correct" in cell:
        words.append("accurate advice" if bool(cell["advice_correct"]) else "inaccurate advice")
    if "advice_source" in cell:
        source = str(cell["advice_source"])
        words.append(f"{'AI' if source == 'ai' else source} label")
    if "stratum" in cell:
        words.append(str(cell["stratum"]))
    return ", ".join(words)


def model_obstacles(
    trials: pd.DataFrame, *, response: str, family: str, factors: Sequence[str]
) -> tuple[str, ...]:
    """Why the study model of ``response`` cannot be fitted on ``trials``, one plain sentence per
    reason; () when it can. ``factors`` are the fixed factors the model keeps (the study factors
    with at least two levels in the data); the model crosses them fully."""
    if trials.empty:
        return ("there are no test trials",)
    reasons = []
    values = trials[response]
    if values.nunique() < 2:
        reasons.append(f"no variation in {response}: {_constant_words(response, values.iloc[0])}")
    reasons.extend(_too_few_participants(trials, "stratum", "stratum"))
    if trials["participant"].nunique() < MIN_PARTICIPANTS:
        return tuple(reasons)  # the rest follows from having one participant
    reasons.extend(_too_few_participants(trials, "advice_source", "advice label"))
    if trials["case"].nunique() == len(trials):
        reasons.append(
            "every case was read by only one participant: the variance between cases cannot "
            "be told apart from the variance between trials"
        )
    if trials["participant"].nunique() == len(trials):
        reasons.append(
            "every participant answered only one case: the variance between participants "
            "cannot be told apart from the variance between trials"
        )
    if not factors:
        return tuple(reasons)
    cells = trials.groupby(list(factors), sort=True)[response]
    missing = _missing_cells(trials, factors, cells.size())
    if missing:
        reasons.append(
            f"no trials in {_conditions(missing)}: the model needs trials in every "
            f"combination of {_factor_words(factors)}"
        )
    elif family == "binomial" and not reasons:
        reasons.extend(_separated(response, factors, cells))
    elif not reasons and (cells.nunique() < 2).all():
        reasons.append(
            f"no variation in {response} within any condition (each combination of "
            f"{_factor_words(factors)} has one value): no variance can be estimated"
        )
    return tuple(reasons)


def data_limits(trials: pd.DataFrame) -> tuple[str, ...]:
    """What the data cannot show, whatever the model: the contrasts that need a second arm, both
    kinds of advice, or a second stratum; the questions the study did not ask; the trials of a
    no-advice control arm, which no advice table or model counts."""
    limits = []
    controls = sorted(map(str, trials.loc[trials["advice_source"] == "none", "arm"].unique()))
    if controls:
        limits.append(
            f"the no-advice control arm ({', '.join(controls)}) saw no advice: its trials are "
            "left out of the advice tables and of every model (all four are about the advice)"
        )
    limits.extend(
        f"{words}: no {what}"
        for column, what in _NOT_ASKED_SHOWS.items()
        if (words := not_asked(trials, column)) is not None and words != NO_ADVICE
    )
    trials = advice_trials(trials)
    if trials.empty:
        return (*limits, NO_ADVICE)
    arms = sorted(map(str, trials["arm"].unique()))
    sources = sorted(map(str, trials["advice_source"].unique()))
    if len(sources) == 1:
        if len(arms) == 1:
            limits.append(
                f"only one arm has data ({arms[0]}, {cell_text({'advice_source': sources[0]})}): "
                "no human-vs-AI label contrast"
            )
        else:
            limits.append(
                f"only the {cell_text({'advice_source': sources[0]})} was shown: "
                "no human-vs-AI label contrast"
            )
    correct = set(map(bool, trials["advice_correct"].unique()))
    if correct == {True}:
        limits.append(
            "all advice was accurate: no inaccurate-advice contrast, and no susceptibility "
            "to inaccurate advice to report"
        )
    elif correct == {False}:
        limits.append("all advice was inaccurate: no accurate-advice contrast")
    strata = sorted(map(str, trials["stratum"].unique()))
    if len(strata) == 1:
        limits.append(f"only one stratum has data ({strata[0]}): no difference between strata")
    return tuple(limits)


def _constant_words(response: str, value: object) -> str:
    if response in _OUTCOME_WORDS:
        when_true, when_false = _OUTCOME_WORDS[response]
        return when_true if bool(value) else when_false
    return f"it is {_number(value)} in every trial"


def _too_few_participants(trials: pd.DataFrame, column: str, what: str) -> list[str]:
    counts = trials.groupby(column, sort=True)["participant"].nunique()
    short = [(str(level), int(n)) for level, n in counts.items() if n < MIN_PARTICIPANTS]
    if not short:
        return []
    shown = ", ".join(f"{level} has {n}" for level, n in short)
    return [f"at least {MIN_PARTICIPANTS} participants per {what} are needed ({shown})"]


def _missing_cells(trials: pd.DataFrame, factors: Sequence[str], sizes: pd.Series) -> list[str]:
    levels = [sorted(trials[factor].unique(), key=str) for factor in factors]
    index = pd.MultiIndex.from_product(levels, names=list(factors))
    observed = set(sizes.index if len(factors) > 1 else [(key,) for key in sizes.index])
    return [
        cell_text(dict(zip(factors, key, strict=True)))
        for key in index
        if tuple(key) not in observed
    ]


def _separated(response: str, factors: Sequence[str], cells) -> list[str]:
    """Conditions in which a binary outcome never varies: their log-odds are infinite."""
    constant = []
    for key, values in cells:
        if values.nunique() == 1:
            key = key if isinstance(key, tuple) else (key,)
            cell = cell_text(dict(zip(factors, key, strict=True)))
            words = _constant_words(response, values.iloc[0])
            trials = "trial" if len(values) == 1 else f"{len(values)} trials"
            constant.append(f"{words} in the {trials} with {cell}")
    if not constant:
        return []
    return [
        f"no variation in {response} within {_conditions(constant)}: perfect separation, "
        "the odds ratios would be infinite"
    ]


def _conditions(items: Sequence[str]) -> str:
    if len(items) == 1:
        return f"one condition ({items[0]})"
    return f"{len(items)} conditions (first: {items[0]})"


def _factor_words(factors: Sequence[str]) -> str:
    words = {"advice_correct": "advice accuracy", "advice_source": "label", "stratum": "stratum"}
    names = [words.get(factor, factor) for factor in factors]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _number(value: object) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"
