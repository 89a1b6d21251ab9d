"""Simulate the reference datasets that R lme4 and TrustLab's mixed models are both fitted to.

Rule: the data are a fixed, seeded simulation of the study design (participants in 2 strata x 2
advice-source arms, every participant sees every case, a quarter of each participant's cases carry
inaccurate advice); they are committed, so this script only needs re-running to change them.

    .venv/bin/python tests/analysis/reference/make_reference_data.py

Columns are integer codes to keep the files small (decoded by the tests and by lme4_reference.R):
participant, case (ids), stratum (0 non_radiology, 1 radiology), advice_source (0 ai, 1 human),
advice_correct (0/1), correct_decision (0/1), rating (1-7).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent

# (participants, cases, seed)
SIZES = ((265, 8, 20210204), (1000, 20, 20210205), (5000, 50, 20210206))

# Logit model for correct_decision, coded as the patsy terms of
# advice_correct * advice_source * stratum (reference: inaccurate, ai, non_radiology).
ACCURACY_BETA = {
    "Intercept": -0.3,
    "advice_correct": 2.2,
    "advice_source": -0.3,
    "advice_correct:advice_source": 0.3,
    "stratum": 0.4,
    "advice_correct:stratum": -0.2,
    "advice_source:stratum": 0.2,
    "advice_correct:advice_source:stratum": -0.2,
}
ACCURACY_SD = {"participant": 0.7, "case": 0.5}

RATING_BETA = {
    "Intercept": 4.0,
    "advice_correct": 1.2,
    "advice_source": -0.3,
    "advice_correct:advice_source": 0.1,
    "stratum": 0.2,
    "advice_correct:stratum": 0.2,
    "advice_source:stratum": -0.2,
    "advice_correct:advice_source:stratum": 0.1,
}
RATING_SD = {"participant": 0.9, "case": 0.4, "residual": 1.1}


def linear_predictor(beta: dict[str, float], ac, src, st) -> np.ndarray:
    return (
        beta["Intercept"]
        + beta["advice_correct"] * ac
        + beta["advice_source"] * src
        + beta["advice_correct:advice_source"] * ac * src
        + beta["stratum"] * st
        + beta["advice_correct:stratum"] * ac * st
        + beta["advice_source:stratum"] * src * st
        + beta["advice_correct:advice_source:stratum"] * ac * src * st
    )


def simulate(*, n_participants: int, n_cases: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    # Stratified block allocation: each stratum is split evenly between the two arms.
    stratum = rng.permutation(np.arange(n_participants) % 2)
    source = np.empty(n_participants, dtype=np.int64)
    for s in (0, 1):
        members = np.flatnonzero(stratum == s)
        source[members] = rng.permutation(np.arange(members.size) % 2)
    n_inaccurate = n_cases // 4
    advice_correct = np.ones((n_participants, n_cases), dtype=np.int64)
    for p in range(n_participants):
        advice_correct[p, rng.choice(n_cases, size=n_inaccurate, replace=False)] = 0

    participant = np.repeat(np.arange(1, n_participants + 1), n_cases)
    case = np.tile(np.arange(1, n_cases + 1), n_participants)
    st = np.repeat(stratum, n_cases)
    src = np.repeat(source, n_cases)
    ac = advice_correct.ravel()

    u_acc = rng.normal(0.0, ACCURACY_SD["participant"], n_participants)
    v_acc = rng.normal(0.0, ACCURACY_SD["case"], n_cases)
    eta = linear_predictor(ACCURACY_BETA, ac, src, st) + u_acc[participant - 1] + v_acc[case - 1]
    correct = (rng.random(eta.size) < 1.0 / (1.0 + np.exp(-eta))).astype(np.int64)

    u_rat = rng.normal(0.0, RATING_SD["participant"], n_participants)
    v_rat = rng.normal(0.0, RATING_SD["case"], n_cases)
    latent = (
        linear_predictor(RATING_BETA, ac, src, st)
        + u_rat[participant - 1]
        + v_rat[case - 1]
        + rng.normal(0.0, RATING_SD["residual"], eta.size)
    )
    rating = np.clip(np.rint(latent), 1, 7).astype(np.int64)
    return pd.DataFrame(
        {
            "participant": participant,
            "case": case,
            "stratum": st,
            "advice_source": src,
            "advice_correct": ac,
            "correct_decision": correct,
            "rating": rating,
        }
    )


def dataset_path(n_participants: int, n_cases: int) -> Path:
    return HERE / f"crossed_{n_participants}x{n_cases}.csv.gz"


def main() -> None:
    for n_participants, n_cases, seed in SIZES:
        frame = simulate(n_participants=n_participants, n_cases=n_cases, seed=seed)
        path = dataset_path(n_participants, n_cases)
        # mtime=0 keeps the gzip bytes reproducible.
        frame.to_csv(path, index=False, compression={"method": "gzip", "mtime": 0})
        print(f"{path.name}: {len(frame)} rows, {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
