"""The scored columns of a trial (followed_advice, correct_decision, correct_diagnosis): the one
definition the export writes and the loader recomputes.

Rule: a score is defined only where the answers it needs exist. A question the study did not
ask, or a no-advice control trial (no advised diagnosis, no advice_correct), leaves the score
empty rather than false, so a missing answer never reads as a wrong one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from analysis.codebook import is_missing

__all__ = ["derived_mismatches", "trial_scores"]

SCORED = ("followed_advice", "correct_decision", "correct_diagnosis")
# column -> (the rule's words for a row answered in the Gaube or category form, in agree mode)
RULES = {
    "followed_advice": ("final_diagnosis == advised_diagnosis", "agreed"),
    "correct_diagnosis": (
        "final_diagnosis == reference_diagnosis",
        "final_diagnosis == reference_diagnosis",
    ),
    "correct_decision": ("the Gaube 2021 scoring of decision", "agreed == advice_correct"),
}


def _present(values: np.ndarray) -> np.ndarray:
    flat = [not is_missing(value) for value in values.ravel()]
    return np.array(flat, dtype=bool).reshape(values.shape)


def _truth(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    flat = [bool(v) if p else False for v, p in zip(values.ravel(), present.ravel(), strict=True)]
    return np.array(flat, dtype=bool).reshape(values.shape)


def _scored(values: np.ndarray, defined: np.ndarray) -> np.ndarray:
    values = np.asarray(values)  # a comparison of 0-d object arrays gives a scalar
    if defined.all():
        return values.astype(bool)
    out = values.astype(object)
    out[~defined] = None
    return out


def trial_scores(
    *,
    advice_correct: ArrayLike,
    decision: ArrayLike,
    final_diagnosis: ArrayLike,
    advised_diagnosis: ArrayLike,
    reference_diagnosis: ArrayLike,
    agreed: ArrayLike | None = None,
) -> dict[str, np.ndarray]:
    """The scored columns of a trial (Gaube 2021, extended to the other response modes):

    - ``followed_advice``: agree/disagree mode (``agreed`` given): agreed; otherwise the final
      diagnosis is the advised one. Empty without advice or without either answer.
    - ``correct_decision``: agree/disagree mode: agreed == advice_correct; otherwise accurate
      advice accepted or modified, or inaccurate advice rejected. Empty without advice or
      without either answer.
    - ``correct_diagnosis``: the final diagnosis is the reference diagnosis; empty without one.

    "Without advice" is a no-advice control trial: advised_diagnosis or advice_correct empty.
    Takes scalars (one trial; the export calls it per row) or equal-length arrays (a table; the
    loader and the simulators). Returns arrays of the same shape: dtype bool when every score is
    defined, else dtype object holding True, False or None (empty).
    """
    final = np.asarray(final_diagnosis, dtype=object)
    shape = final.shape

    def column(values: ArrayLike | None) -> np.ndarray:
        if values is None:
            return np.full(shape, None, dtype=object)
        array = np.asarray(values, dtype=object)
        return array if array.shape == shape else np.broadcast_to(array, shape)

    decisions, advised = column(decision), column(advised_diagnosis)
    reference, correct, agree = column(reference_diagnosis), column(advice_correct), column(agreed)
    has_final, has_decision, has_agree = _present(final), _present(decisions), _present(agree)
    has_advice = _present(advised) & _present(correct)
    accurate, agreed_truth = _truth(correct, has_advice), _truth(agree, has_agree)
    went_along = (decisions == "accept") | (decisions == "modify")
    gaube = np.where(accurate, went_along, decisions == "reject")
    followed = np.where(has_agree, agreed_truth, final == advised)
    correct_decision = np.where(has_agree, agreed_truth == accurate, gaube)
    return {
        "followed_advice": _scored(followed, has_advice & (has_agree | has_final)),
        "correct_decision": _scored(correct_decision, has_advice & (has_agree | has_decision)),
        "correct_diagnosis": _scored(final == reference, has_final),
    }


def derived_mismatches(trials: pd.DataFrame) -> list[tuple[str, str, np.ndarray, str, str]]:
    """The scored columns of a typed trials table that disagree with trial_scores: for each,
    (column, rule, bad rows mask, the first bad row's given value, its recomputed value) with
    values as "true", "false" or "empty"."""
    agreed = trials["agreed"].to_numpy(dtype=object) if "agreed" in trials.columns else None
    in_agree_mode = _present(agreed) if agreed is not None else np.zeros(len(trials), bool)
    scores = trial_scores(
        advice_correct=trials["advice_correct"].to_numpy(dtype=object),
        decision=trials["decision"].to_numpy(dtype=object),
        final_diagnosis=trials["final_diagnosis"].to_numpy(dtype=object),
        advised_diagnosis=trials["advised_diagnosis"].to_numpy(dtype=object),
        reference_diagnosis=trials["reference_diagnosis"].to_numpy(dtype=object),
        agreed=agreed,
    )
    found = []
    for name in ("followed_advice", "correct_diagnosis", "correct_decision"):
        given = trials[name].to_numpy(dtype=object)
        expected = scores[name].astype(object)
        given_present, expected_present = _present(given), _present(expected)
        same_value = _truth(given, given_present) == _truth(expected, expected_present)
        bad = (given_present != expected_present) | (given_present & ~same_value)
        if bad.any():
            i = int(np.argmax(bad))
            rule = RULES[name][1 if in_agree_mode[i] else 0]
            shown = _word(given[i], given_present[i])
            found.append((name, rule, bad, shown, _word(expected[i], expected_present[i])))
    return found


def _word(value: object, present: bool) -> str:
    if not present:
        return "empty"
    return "true" if bool(value) else "false"
