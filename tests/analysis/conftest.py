"""Fixtures for the analysis tests: hand-built trials tables (every value known) and a small
simulated study (seeded)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import pytest

from analysis.data import TRIALS_COLUMNS
from analysis.simulate import simulate_trials

# One participant: (participant, stratum, advice_source, [(case, advice_correct, followed), ...])
ParticipantSpec = tuple[str, str, str, Sequence[tuple[str, bool, bool]]]


def build_trials(
    participants: Sequence[ParticipantSpec],
    *,
    ratings: Sequence[int] | None = None,
    confidences: Sequence[int] | None = None,
    response_ms: Sequence[int] | None = None,
) -> pd.DataFrame:
    """A typed trials table in which every derived column is consistent by construction.

    Case X has reference diagnosis "dx_X" and inaccurate advice "wrong_X"; not following accurate
    advice ends on "other_X", not following inaccurate advice ends on the reference.
    """
    rows = []
    start = pd.Timestamp("2024-03-01T09:00:00Z")
    for p_number, (participant, stratum, source, trials) in enumerate(participants):
        for position, (case, correct, followed) in enumerate(trials, start=1):
            reference = f"dx_{case}"
            advised = reference if correct else f"wrong_{case}"
            if followed:
                final, decision = advised, "accept"
            else:
                final, decision = (f"other_{case}" if correct else reference), "reject"
            shown = start + pd.Timedelta(hours=p_number, minutes=position)
            rows.append(
                {
                    "study": "hand-built",
                    "participant": participant,
                    "stratum": stratum,
                    "specialty": "radiology" if stratum == "radiology" else "internal_medicine",
                    "training_level": "attending",
                    "years_experience": 10,
                    "arm": source,
                    "advice_source": source,
                    "case": case,
                    "position": position,
                    "is_training": False,
                    "advice_correct": correct,
                    "annotation_shown": False,
                    "displayed_confidence": np.nan,
                    "advised_diagnosis": advised,
                    "reference_diagnosis": reference,
                    "unaided_diagnosis": None,
                    "unaided_confidence": pd.NA,
                    "advice_rating": 4,
                    "decision": decision,
                    "final_diagnosis": final,
                    "confidence": 5,
                    "followed_advice": final == advised,
                    "correct_decision": followed if correct else not followed,
                    "correct_diagnosis": final == reference,
                    "response_ms": 30_000,
                    "shown_at": shown,
                    "answered_at": shown + pd.Timedelta(seconds=30),
                }
            )
    table = pd.DataFrame(rows, columns=list(TRIALS_COLUMNS))
    for column, values in (
        ("advice_rating", ratings),
        ("confidence", confidences),
        ("response_ms", response_ms),
    ):
        if values is not None:
            table[column] = np.asarray(values, dtype=np.int64)
    table["unaided_confidence"] = table["unaided_confidence"].astype("Int64")
    table["years_experience"] = table["years_experience"].astype(np.int64)
    table["position"] = table["position"].astype(np.int64)
    table["response_ms"] = table["response_ms"].astype(np.int64)
    return table


@pytest.fixture
def trials_factory() -> Callable[..., pd.DataFrame]:
    return build_trials


@pytest.fixture
def small_trials() -> pd.DataFrame:
    """Two participants x two cases, one inaccurate advice each."""
    return build_trials(
        [
            ("p1", "radiology", "ai", [("A", True, True), ("B", False, True)]),
            ("p2", "non_radiology", "human", [("A", False, False), ("B", True, True)]),
        ]
    )


@pytest.fixture(scope="session")
def simulated_trials() -> pd.DataFrame:
    """A small simulated Gaube-style study: 24 + 24 participants x 8 cases."""
    return simulate_trials(n_radiology=24, n_non_radiology=24, rng=np.random.default_rng(20210))
