"""Read-then-reveal measures: what seeing the advice changed after an unaided read.

Rule: computed on the test trials (training excluded) that showed advice and hold both the unaided
and the final diagnosis. The switch rate is the share of trials whose unaided diagnosis differed
from the advice and whose final diagnosis is the advice; its mirror, the share whose unaided
diagnosis was the advice and whose final diagnosis is not. Accuracy is the share of diagnoses equal
to the reference, unaided and final; confidence change is final minus unaided confidence. Every
table is by stratum x advice label x advice correctness, proportions with Wilson intervals, mean
changes with t intervals; the phase GLMM is correct ~ phase * advice_correct with crossed random
intercepts for participants and cases (two rows per trial, one per phase).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.describe import CONDITION, wilson_interval
from analysis.mixed import MixedResult, ModelError, fit_glmm
from analysis.subsets import advice_trials

__all__ = [
    "NO_REVEAL",
    "accuracy_by_phase",
    "confidence_change",
    "phase_model",
    "reveal_trials",
    "switch_table",
]

NO_REVEAL = (
    "no test trial holds both an unaided and a final diagnosis: the study is not read-then-reveal"
)
_PROPORTION = ["n", "k", "proportion", "ci_low", "ci_high"]


def reveal_trials(trials: pd.DataFrame) -> pd.DataFrame:
    """The test trials with advice, an unaided and a final diagnosis (ModelError if none)."""
    shown = advice_trials(trials)
    if "is_training" in shown.columns:
        shown = shown.loc[~shown["is_training"].fillna(False).to_numpy(dtype=bool)]
    both = shown["unaided_diagnosis"].notna() & shown["final_diagnosis"].notna()
    both &= shown["unaided_diagnosis"].astype(str).str.len().gt(0)
    chosen = shown.loc[both.to_numpy(dtype=bool)]
    if not len(chosen):
        raise ModelError(NO_REVEAL)
    return chosen


def _proportions(frame: pd.DataFrame, hit: pd.Series, conf_level: float) -> pd.DataFrame:
    grouped = frame.assign(_hit=hit.to_numpy(dtype=bool)).groupby(list(CONDITION), sort=True)
    table = grouped["_hit"].agg(n="size", k="sum").reset_index()
    table["n"] = table["n"].astype(np.int64)
    table["k"] = table["k"].astype(np.int64)
    table["proportion"] = table["k"] / table["n"]
    table["ci_low"], table["ci_high"] = wilson_interval(
        k=table["k"].to_numpy(), n=table["n"].to_numpy(), conf_level=conf_level
    )
    return table


def switch_table(trials: pd.DataFrame, *, conf_level: float = 0.95) -> pd.DataFrame:
    """Switch to the advice, and its mirror (leaving an unaided diagnosis the advice agreed with).

    Columns: measure ("switched to advice" | "left agreeing advice"), stratum, advice_source,
    advice_correct, n (trials at risk), k, proportion, ci_low, ci_high.
    """
    chosen = reveal_trials(trials)
    agreed = chosen["unaided_diagnosis"].astype(str) == chosen["advised_diagnosis"].astype(str)
    final_is_advice = chosen["final_diagnosis"].astype(str) == chosen["advised_diagnosis"].astype(
        str
    )
    frames = []
    for measure, at_risk, hit in (
        ("switched to advice", ~agreed, final_is_advice),
        ("left agreeing advice", agreed, ~final_is_advice),
    ):
        rows = at_risk.to_numpy(dtype=bool)
        if rows.any():
            table = _proportions(chosen.loc[rows], hit.loc[rows], conf_level)
            table.insert(0, "measure", measure)
            frames.append(table)
    return pd.concat(frames, ignore_index=True)[["measure", *CONDITION, *_PROPORTION]]


def accuracy_by_phase(trials: pd.DataFrame, *, conf_level: float = 0.95) -> pd.DataFrame:
    """Diagnostic accuracy before (unaided) and after (final) the advice was shown.

    Columns: phase ("unaided" | "final"), stratum, advice_source, advice_correct, n, k
    (diagnoses equal to the reference), proportion, ci_low, ci_high.
    """
    chosen = reveal_trials(trials)
    reference = chosen["reference_diagnosis"].astype(str)
    frames = []
    for phase, column in (("unaided", "unaided_diagnosis"), ("final", "final_diagnosis")):
        table = _proportions(chosen, chosen[column].astype(str) == reference, conf_level)
        table.insert(0, "phase", phase)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def confidence_change(trials: pd.DataFrame, *, conf_level: float = 0.95) -> pd.DataFrame:
    """Final minus unaided confidence: n, mean, sd, ci_low, ci_high (t interval) per condition."""
    chosen = reveal_trials(trials)
    both = (chosen["unaided_confidence"].notna() & chosen["confidence"].notna()).to_numpy(bool)
    chosen = chosen.loc[both]
    if not len(chosen):
        raise ModelError("no trial holds both an unaided and a final confidence rating")
    change = chosen["confidence"].astype(float) - chosen["unaided_confidence"].astype(float)
    grouped = chosen.assign(change=change.to_numpy()).groupby(list(CONDITION), sort=True)
    table = grouped["change"].agg(n="size", mean="mean", sd="std").reset_index()
    table["n"] = table["n"].astype(np.int64)
    half = np.full(len(table), np.nan)
    several = table["n"].to_numpy() > 1
    quantile = stats.t.ppf(0.5 + conf_level / 2, table["n"].to_numpy()[several] - 1)
    half[several] = (
        quantile * table["sd"].to_numpy()[several] / np.sqrt(table["n"].to_numpy()[several])
    )
    table["ci_low"] = table["mean"] - half
    table["ci_high"] = table["mean"] + half
    return table


def phase_model(trials: pd.DataFrame, *, conf_level: float = 0.95) -> MixedResult:
    """Binomial GLMM of a correct diagnosis by phase (final vs unaided) x advice correctness."""
    chosen = reveal_trials(trials)
    reference = chosen["reference_diagnosis"].astype(str).to_numpy()
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "participant": chosen["participant"].astype(str).to_numpy(),
                    "case": chosen["case"].astype(str).to_numpy(),
                    "advice_correct": chosen["advice_correct"].to_numpy(dtype=bool),
                    "phase": phase,
                    "correct": chosen[column].astype(str).to_numpy() == reference,
                }
            )
            for phase, column in (("unaided", "unaided_diagnosis"), ("final", "final_diagnosis"))
        ],
        ignore_index=True,
    )
    long["phase"] = pd.Categorical(long["phase"], categories=["unaided", "final"])
    return fit_glmm(
        "correct ~ phase * advice_correct + (1|participant) + (1|case)",
        long,
        conf_level=conf_level,
    )
