"""The trials an advice table or model is computed on: those that showed advice and hold the
outcome, with the outcome in its plain type.

Rule: one place decides which rows an outcome is analysed on. A no-advice control trial
(advice_source "none", advice_correct empty) has no advice to follow, rate or judge, and a
question the study did not ask leaves its outcome empty: both are left out, and the notes say
how many and why, so no empty cell ever counts as a "no".
"""

from __future__ import annotations

import pandas as pd

__all__ = [
    "NOT_ASKED",
    "advice_trials",
    "answered",
    "model_trials",
    "not_asked",
    "plain_types",
]

# What the study did not ask when an outcome is empty in every trial that showed advice.
NOT_ASKED = {
    "advice_rating": "the study did not ask for an advice quality rating",
    "confidence": "the study did not ask for a confidence rating",
    "correct_decision": "the study did not ask for a decision on the advice "
    "(accept / modify / reject, or agree / disagree)",
    "followed_advice": "the study asked neither for a final diagnosis nor for agreement with "
    "the advice",
    "correct_diagnosis": "the study did not ask for a final diagnosis",
}
NO_ADVICE = "no trial showed advice (every trial is in a no-advice control arm)"


def _plain(trials: pd.DataFrame, column: str) -> pd.DataFrame:
    """``column`` (complete in ``trials``) in its plain type: nullable boolean / Int64 (the
    loader's types for a column with empty cells) as bool / int64."""
    kind = str(trials[column].dtype)
    plain = {"boolean": bool, "Int64": "int64"}.get(kind)
    return trials if plain is None else trials.assign(**{column: trials[column].astype(plain)})


def plain_types(trials: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """A copy of ``trials`` with each of ``columns`` that has no empty cell in its plain type."""
    trials = trials.copy()
    for column in columns:
        if column in trials.columns and not trials[column].isna().any():
            trials = _plain(trials, column)
    return trials


def advice_trials(trials: pd.DataFrame) -> pd.DataFrame:
    """The trials that showed advice (not a no-advice control arm), advice_correct as bool."""
    shown = (trials["advice_source"] != "none") & trials["advice_correct"].notna()
    return _plain(trials.loc[shown.to_numpy(dtype=bool)], "advice_correct")


def answered(trials: pd.DataFrame, column: str) -> pd.DataFrame:
    """The trials that showed advice and hold ``column``, which is returned in its plain type."""
    shown = advice_trials(trials)
    return _plain(shown.loc[shown[column].notna().to_numpy(dtype=bool)], column)


def not_asked(trials: pd.DataFrame, column: str) -> str | None:
    """Why ``column`` cannot be analysed at all, in words (None when some trial holds it)."""
    shown = advice_trials(trials)
    if shown.empty:
        return NO_ADVICE
    if shown[column].notna().any():
        return None
    return NOT_ASKED.get(column, f"no trial holds {column}")


def model_trials(trials: pd.DataFrame, column: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The rows a model of ``column`` is fitted on (answered) and the notes saying which trials
    were left out and why."""
    notes = []
    controls = int((trials["advice_source"] == "none").sum())
    if controls:
        control = trials.loc[trials["advice_source"] == "none", "arm"]
        arms = ", ".join(sorted(map(str, control.unique())))
        notes.append(
            f"{controls} trials of the no-advice control arm ({arms}) were left out: the model "
            "is about the advice"
        )
    shown = advice_trials(trials)
    used = answered(trials, column)
    unanswered = len(shown) - len(used)
    if unanswered:
        notes.append(f"{unanswered} trials without {column} (not asked) were left out")
    return used.reset_index(drop=True), tuple(notes)
