"""Committed reference datasets and the R lme4 values computed from them (lme4_reference.R).

Rule: tests read numbers from here only; nothing in this folder is produced by TrustLab's own fits.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SIZES = ("265x8", "1000x20", "5000x50")
ACCURACY = (
    "correct_decision ~ advice_correct * advice_source * stratum + (1|participant) + (1|case)"
)
RATING = "rating ~ advice_correct * advice_source * stratum + (1|participant) + (1|case)"

# patsy term -> R term, for the study's three-way design.
R_TERMS = {
    "Intercept": "(Intercept)",
    "score": "score",
    "advice_correct[T.True]": "advice_correctTRUE",
    "advice_source[T.human]": "advice_sourcehuman",
    "stratum[T.radiology]": "stratumradiology",
    "advice_correct[T.True]:advice_source[T.human]": "advice_correctTRUE:advice_sourcehuman",
    "advice_correct[T.True]:stratum[T.radiology]": "advice_correctTRUE:stratumradiology",
    "advice_source[T.human]:stratum[T.radiology]": "advice_sourcehuman:stratumradiology",
    "advice_correct[T.True]:advice_source[T.human]:stratum[T.radiology]": (
        "advice_correctTRUE:advice_sourcehuman:stratumradiology"
    ),
}


def load_dataset(size: str, *, unbalanced: bool = False) -> pd.DataFrame:
    """The reference trials with the export's codes (strings, booleans), as lme4_reference.R.

    `unbalanced` drops about 1 trial in 11, by the same rule as the R script; `score` is a
    covariate with 101 distinct values, defined there too.
    """
    raw = pd.read_csv(HERE / f"crossed_{size}.csv.gz")
    if unbalanced:
        raw = raw[(raw["participant"] * 7 + raw["case"] * 3) % 11 != 0].reset_index(drop=True)
    return pd.DataFrame(
        {
            "score": ((raw["participant"] * 37 + raw["case"] * 11) % 101) / 10,
            "participant": raw["participant"].map("p{:05d}".format),
            "case": raw["case"].map("c{:03d}".format),
            "stratum": np.where(raw["stratum"] == 1, "radiology", "non_radiology"),
            "advice_source": np.where(raw["advice_source"] == 1, "human", "ai"),
            "advice_correct": raw["advice_correct"] == 1,
            "correct_decision": raw["correct_decision"] == 1,
            "rating": raw["rating"],
        }
    )


def load_lme4(size: str) -> dict:
    return json.loads((HERE / f"lme4_{size}.json").read_text())


SLOPE_SIZES = ("265x8", "1000x20", "5000x50")


def load_slope_dataset(size: str) -> pd.DataFrame:
    """The random-slope reference trials (make_slope_data.py) with the export's codes, decoded
    as lme4_slopes.R decodes them (`ac` and `human`: numeric 0/1 copies for `||` terms)."""
    raw = pd.read_csv(HERE / f"slopes_{size}.csv.gz")
    return pd.DataFrame(
        {
            "participant": raw["participant"].map("p{:05d}".format),
            "case": raw["case"].map("c{:03d}".format),
            "site": raw["site"].map("s{:03d}".format),
            "stratum": np.where(raw["stratum"] == 1, "radiology", "non_radiology"),
            "advice_source": np.where(raw["advice_source"] == 1, "human", "ai"),
            "advice_correct": raw["advice_correct"] == 1,
            "ac": raw["advice_correct"].astype(float),
            "human": raw["advice_source"].astype(float),
            "correct_decision": raw["correct_decision"] == 1,
            "rating": raw["rating"],
        }
    )


def load_lme4_slopes(size: str) -> dict:
    return json.loads((HERE / f"lme4_slopes_{size}.json").read_text())


# R's VarCorr column names -> patsy's, for the random-slope models.
R_RANDOM_TERMS = {
    "(Intercept)": "Intercept",
    "advice_correctTRUE": "advice_correct[T.True]",
    "advice_sourcehuman": "advice_source[T.human]",
    "ac": "ac",
}
