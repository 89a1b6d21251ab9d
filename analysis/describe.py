"""Descriptive tables of a validated trials table: tidy DataFrames with documented columns.

Rule: tidy in, tidy out. Every function takes the long trials table (as load_trials returns it)
and returns one row per group, with counts next to every proportion and Wilson intervals for
proportions; nothing here fits a model. The advice tables count the trials that showed advice and
hold the outcome (analysis.subsets): no-advice control trials and questions a study did not ask
are left out, so an empty cell never counts as a "no".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm

from analysis.subsets import advice_trials, answered

__all__ = [
    "CONDITION",
    "accuracy_table",
    "confidence_table",
    "participant_flow",
    "rating_table",
    "response_time_table",
    "susceptibility_table",
    "wilson_interval",
]

# The study's condition cells, in the order tables list them.
CONDITION = ("stratum", "advice_source", "advice_correct")


def wilson_interval(
    *, k: int | np.ndarray, n: int | np.ndarray, conf_level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for k successes in n trials (Wilson 1927; Newcombe 1998, method 3).

    Vectorised over k and n. Where n == 0 the interval is (nan, nan).
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    z = norm.ppf(0.5 + conf_level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denominator = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denominator
        half = z / denominator * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
        low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    # Exact bounds where the formula meets them analytically (avoid 1e-17 rounding noise).
    low = np.where(k == 0, 0.0, low)
    high = np.where(k == n, 1.0, high)
    low = np.where(n > 0, low, np.nan)
    high = np.where(n > 0, high, np.nan)
    return low, high


def accuracy_table(trials: pd.DataFrame, *, conf_level: float = 0.95) -> pd.DataFrame:
    """Accuracy by stratum x advice_source x advice_correct, for both outcomes.

    Columns: outcome (correct_decision | correct_diagnosis), stratum, advice_source, advice_correct,
    n (trials), k (correct trials), proportion (k / n), ci_low, ci_high (Wilson, conf_level).
    """
    frames = []
    for outcome in ("correct_decision", "correct_diagnosis"):
        grouped = answered(trials, outcome).groupby(list(CONDITION), sort=True)[outcome]
        table = grouped.agg(n="size", k="sum").reset_index()
        table.insert(0, "outcome", outcome)
        frames.append(table)
    table = pd.concat(frames, ignore_index=True)
    return _with_proportion(table, conf_level)


def susceptibility_table(
    trials: pd.DataFrame, *, by: Sequence[str] = ("stratum",), conf_level: float = 0.95
) -> pd.DataFrame:
    """Share of participants who followed the inaccurate advice in all, some or none of their
    inaccurate cases (Gaube 2021's susceptibility), per group.

    "Followed" is the followed_advice column (final diagnosis equals the advised one). Participants
    who saw no inaccurate advice are not counted. ``by`` names the grouping columns (per-participant
    constants), e.g. ("stratum",) or ("stratum", "advice_source") or ("stratum", "arm").
    Columns: the ``by`` columns, followed (all | some | none), k (participants in that category),
    n (participants in the group with at least one inaccurate case), share (k / n), ci_low, ci_high
    (Wilson, conf_level). Every group has all three categories, zero counts included.
    """
    by = list(by)
    followed = answered(trials, "followed_advice")
    inaccurate = followed.loc[~followed["advice_correct"]]
    per_participant = (
        inaccurate.groupby([*by, "participant"], sort=True)["followed_advice"]
        .agg(followed="sum", cases="size")
        .reset_index()
    )
    category = np.where(
        per_participant["followed"] == per_participant["cases"],
        "all",
        np.where(per_participant["followed"] == 0, "none", "some"),
    )
    per_participant["category"] = category
    counts = per_participant.groupby([*by, "category"], sort=True).size()
    groups = per_participant[by].drop_duplicates().sort_values(by)
    rows = []
    for key in groups.itertuples(index=False, name=None):
        total = 0
        group_counts = {}
        for level in ("all", "some", "none"):
            group_counts[level] = int(counts.get((*key, level), 0))
            total += group_counts[level]
        for level in ("all", "some", "none"):
            cells = dict(zip(by, key, strict=True))
            rows.append({**cells, "followed": level, "k": group_counts[level], "n": total})
    table = pd.DataFrame(rows, columns=[*by, "followed", "k", "n"])
    table["k"] = table["k"].astype(np.int64)
    table["n"] = table["n"].astype(np.int64)
    table = _with_proportion(table, conf_level)
    return table.rename(columns={"proportion": "share"})


def rating_table(trials: pd.DataFrame) -> pd.DataFrame:
    """Advice quality rating by stratum x advice_source x advice_correct.

    Columns: stratum, advice_source, advice_correct, n (trials), mean, sd (sample SD, ddof 1;
    NaN for n == 1), median.
    """
    return _numeric_summary(trials, "advice_rating")


def confidence_table(trials: pd.DataFrame) -> pd.DataFrame:
    """Confidence in the final diagnosis by stratum x advice_source x advice_correct.

    Columns as rating_table: stratum, advice_source, advice_correct, n, mean, sd, median.
    """
    return _numeric_summary(trials, "confidence")


def response_time_table(trials: pd.DataFrame) -> pd.DataFrame:
    """Response time (response_ms) by stratum x advice_source x advice_correct.

    Columns: stratum, advice_source, advice_correct, n, median_ms, q1_ms, q3_ms (25th and 75th
    percentiles, linear interpolation), iqr_ms (q3_ms - q1_ms).
    """
    grouped = advice_trials(trials).groupby(list(CONDITION), sort=True)["response_ms"]
    values = grouped.apply(lambda s: s.to_numpy(dtype=float))
    table = values.index.to_frame(index=False)
    table["n"] = [len(v) for v in values]
    table["median_ms"] = [float(np.median(v)) for v in values]
    table["q1_ms"] = [float(np.percentile(v, 25)) for v in values]
    table["q3_ms"] = [float(np.percentile(v, 75)) for v in values]
    table["iqr_ms"] = table["q3_ms"] - table["q1_ms"]
    return table


def participant_flow(trials: pd.DataFrame) -> pd.DataFrame:
    """Participants and trials per stratum x arm.

    Columns: stratum, arm, advice_source (the label(s) shown in the arm, joined by "/"),
    participants, trials, inaccurate_trials (trials with inaccurate advice), cases (distinct cases).
    """
    rows = []
    for (stratum, arm), group in trials.groupby(["stratum", "arm"], sort=True):
        rows.append(
            {
                "stratum": stratum,
                "arm": arm,
                "advice_source": "/".join(sorted(group["advice_source"].unique())),
                "participants": int(group["participant"].nunique()),
                "trials": len(group),
                "inaccurate_trials": int(group["advice_correct"].eq(False).sum()),
                "cases": int(group["case"].nunique()),
            }
        )
    columns = [
        "stratum",
        "arm",
        "advice_source",
        "participants",
        "trials",
        "inaccurate_trials",
        "cases",
    ]
    return pd.DataFrame(rows, columns=columns)


def _with_proportion(table: pd.DataFrame, conf_level: float) -> pd.DataFrame:
    table = table.copy()
    table["k"] = table["k"].astype(np.int64)
    table["n"] = table["n"].astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["proportion"] = np.where(table["n"] > 0, table["k"] / table["n"], np.nan)
    table["ci_low"], table["ci_high"] = wilson_interval(
        k=table["k"].to_numpy(), n=table["n"].to_numpy(), conf_level=conf_level
    )
    return table


def _numeric_summary(trials: pd.DataFrame, column: str) -> pd.DataFrame:
    grouped = answered(trials, column).groupby(list(CONDITION), sort=True)[column]
    table = grouped.agg(n="size", mean="mean", sd="std", median="median").reset_index()
    table["n"] = table["n"].astype(np.int64)
    table["mean"] = table["mean"].astype(float)
    table["sd"] = table["sd"].astype(float)
    table["median"] = table["median"].astype(float)
    return table
