"""Simulate the random-slope reference datasets that R lme4 and TrustLab's general mixed models
are both fitted to (lme4_slopes.R).

Rule: a fixed, seeded simulation of the study design with more random structure than the
crossed-intercept sets: every participant has a correlated random slope for accurate advice,
every case a random slope for the advice label, and participants are nested in sites. The files
are committed, so this script only needs re-running to change them.

    .venv/bin/python tests/analysis/reference/make_slope_data.py

Columns (integer codes, decoded by tests/analysis/reference/__init__.py and lme4_slopes.R):
participant, case, site (ids), stratum (0 non_radiology, 1 radiology), advice_source (0 ai,
1 human), advice_correct (0/1), correct_decision (0/1), rating (1-7).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from make_reference_data import ACCURACY_BETA, RATING_BETA, linear_predictor

HERE = Path(__file__).resolve().parent

# (participants, cases, sites, seed)
SIZES = ((265, 8, 12, 20131101), (1000, 20, 25, 20131102), (5000, 50, 60, 20131103))

# Participant intercept and accurate-advice slope: SDs and their correlation.
ACCURACY_PARTICIPANT = (0.8, 0.7, -0.4)
ACCURACY_CASE = (0.5, 0.3)  # case intercept, case slope of the human label (independent)
ACCURACY_SITE = 0.4
RATING_PARTICIPANT = (0.9, 0.6, 0.3)
RATING_CASE = (0.4, 0.2)
RATING_SITE = 0.3
RATING_RESIDUAL = 1.0


def _pairs(rng, n: int, sd0: float, sd1: float, rho: float) -> np.ndarray:
    cov = np.array([[sd0 * sd0, rho * sd0 * sd1], [rho * sd0 * sd1, sd1 * sd1]])
    return rng.multivariate_normal(np.zeros(2), cov, size=n)


def simulate(*, n_participants: int, n_cases: int, n_sites: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    stratum = rng.permutation(np.arange(n_participants) % 2)
    source = np.empty(n_participants, dtype=np.int64)
    for s in (0, 1):
        members = np.flatnonzero(stratum == s)
        source[members] = rng.permutation(np.arange(members.size) % 2)
    site = rng.integers(0, n_sites, size=n_participants)
    participant = np.repeat(np.arange(n_participants), n_cases)
    case = np.tile(np.arange(n_cases), n_participants)
    # A quarter of each participant's cases carry inaccurate advice, chosen at random.
    inaccurate = max(1, n_cases // 4)
    correct = np.ones((n_participants, n_cases), dtype=np.int64)
    for p in range(n_participants):
        correct[p, rng.choice(n_cases, size=inaccurate, replace=False)] = 0
    ac, src, st = correct.ravel(), source[participant], stratum[participant]

    u = _pairs(rng, n_participants, *ACCURACY_PARTICIPANT)
    v = np.column_stack([rng.normal(0, sd, n_cases) for sd in ACCURACY_CASE])
    w = rng.normal(0, ACCURACY_SITE, n_sites)
    eta = (
        linear_predictor(ACCURACY_BETA, ac, src, st)
        + u[participant, 0]
        + u[participant, 1] * ac
        + v[case, 0]
        + v[case, 1] * src
        + w[site[participant]]
    )
    correct_decision = (rng.random(eta.size) < 1.0 / (1.0 + np.exp(-eta))).astype(np.int64)

    u = _pairs(rng, n_participants, *RATING_PARTICIPANT)
    v = np.column_stack([rng.normal(0, sd, n_cases) for sd in RATING_CASE])
    w = rng.normal(0, RATING_SITE, n_sites)
    mean = (
        linear_predictor(RATING_BETA, ac, src, st)
        + u[participant, 0]
        + u[participant, 1] * ac
        + v[case, 0]
        + v[case, 1] * src
        + w[site[participant]]
    )
    rating = np.clip(np.rint(mean + rng.normal(0, RATING_RESIDUAL, mean.size)), 1, 7)
    return pd.DataFrame(
        {
            "participant": participant,
            "case": case,
            "site": site[participant],
            "stratum": st,
            "advice_source": src,
            "advice_correct": ac,
            "correct_decision": correct_decision,
            "rating": rating.astype(np.int64),
        }
    )


def main() -> None:
    for n_participants, n_cases, n_sites, seed in SIZES:
        frame = simulate(n_participants=n_participants, n_cases=n_cases, n_sites=n_sites, seed=seed)
        path = HERE / f"slopes_{n_participants}x{n_cases}.csv.gz"
        frame.to_csv(path, index=False, compression={"method": "gzip", "mtime": 0})
        print(path.name, len(frame), "rows")


if __name__ == "__main__":
    main()
