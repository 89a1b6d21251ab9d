"""Perfect separation in a binomial model: a fixed-effect direction that predicts the outcome
exactly, so that the maximum-likelihood estimates are infinite.

Rule: Konis' (2007) linear program, as R's detectseparation: maximise Σ s_i x_i'β subject to
s_i x_i'β >= 0 (s_i = ±1 for y_i = 1/0) and -1 <= β <= 1. The optimum is 0 exactly when no
direction separates the data (complete or quasi-complete); the random intercepts, being
penalised, cannot keep the estimates finite along such a direction.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from .design import Design

# Above this many distinct (design row, outcome) pairs (a continuous covariate on a large table)
# the program is skipped: a separated table that large is implausible and the check would cost
# seconds. The study's factorial designs have at most 2 x 8 distinct pairs.
MAX_ROWS = 50_000
TOLERANCE = 1e-7


def separating_terms(design: Design) -> tuple[str, ...]:
    """The terms of a direction that separates the outcome, or () when the estimates exist."""
    if design.cells is not None:
        # Distinct (cell, outcome) pairs carry the same constraints as the rows themselves.
        keys = np.unique(design.cells * 2 + design.y.astype(np.int64))
        X, y = design.cell_X[keys // 2], (keys % 2).astype(float)
    else:
        X, y = design.X, design.y
    if X.shape[0] > MAX_ROWS:
        return ()
    scale = np.abs(X).max(axis=0)
    scale[scale == 0.0] = 1.0
    signed = (2.0 * y - 1.0)[:, None] * (X / scale)
    solution = optimize.linprog(
        -signed.sum(axis=0),
        A_ub=-signed,
        b_ub=np.zeros(signed.shape[0]),
        bounds=[(-1.0, 1.0)] * signed.shape[1],
        method="highs",
    )
    if solution.status != 0 or -solution.fun <= TOLERANCE * signed.shape[0]:
        return ()
    direction = solution.x
    return tuple(
        term for term, weight in zip(design.terms, direction, strict=True) if abs(weight) > 1e-6
    )
