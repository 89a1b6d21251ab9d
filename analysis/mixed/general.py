"""What the general random-effects fits share (analysis.mixed.general_lmm, general_glmm).

Rule: variance components are reported as lme4's VarCorr (the SDs and correlations of each term's
covariance scale·TT'), and a fit is singular as isSingular says: a diagonal element of some T below
1e-4. The optimisation helpers restart off a θ_j = 0 that is not a minimum and polish an optimum
with Newton steps on a finite-difference Hessian.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import linalg

from .design import Design
from .results import Correlation, RandomEffect
from .terms import ReTerm

SINGULAR_TOL = 1e-4


# --- variance components ------------------------------------------------------------------------


def varcorr(
    terms: tuple[ReTerm, ...], theta: np.ndarray, slices: list[slice], scale: float
) -> tuple[tuple[RandomEffect, ...], tuple[Correlation, ...]]:
    """Each term's covariance scale·TT' as variances and SDs per column and correlations."""
    variances, correlations = [], []
    for term, part in zip(terms, slices, strict=True):
        T = term.template(theta[part])
        cov = scale * (T @ T.T)
        sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
        for j, name in enumerate(term.names):
            variances.append(
                RandomEffect(
                    group=term.group, variance=float(cov[j, j]), sd=float(sd[j]), term=name
                )
            )
        for j in range(term.q):
            for i in range(j + 1, term.q):
                value = cov[i, j] / (sd[i] * sd[j]) if sd[i] > 0 and sd[j] > 0 else math.nan
                correlations.append(
                    Correlation(
                        group=term.group,
                        term1=term.names[j],
                        term2=term.names[i],
                        correlation=float(value),
                    )
                )
    return tuple(variances), tuple(correlations)


def singular_terms(terms: tuple[ReTerm, ...], theta: np.ndarray, slices: list[slice]) -> list[str]:
    """isSingular, in words: one phrase per diagonal element of some T below the tolerance."""
    found = []
    for term, part in zip(terms, slices, strict=True):
        T = term.template(theta[part])
        for j, name in enumerate(term.names):
            if abs(T[j, j]) >= SINGULAR_TOL:
                continue
            if j and term.correlated and np.abs(T[j, :j]).max() >= SINGULAR_TOL:
                found.append(
                    f"the random effects ({', '.join(term.names[: j + 1])} | {term.group}) are "
                    "perfectly correlated (their covariance matrix is singular)"
                )
            else:
                found.append(f"the variance of ({name} | {term.group}) is estimated as (near) 0")
    return found


def n_groups(design: Design) -> tuple[tuple[str, int], ...]:
    seen: dict[str, int] = {}
    for term in design.random_terms:
        seen.setdefault(term.group, term.n_levels)
    return tuple(seen.items())


# --- optimisation helpers -------------------------------------------------------------------------


def escape_zero(function, x: np.ndarray, diagonal: np.ndarray) -> np.ndarray | None:
    """A restart point if some diagonal θ_j = 0 is not a minimum along θ_j, else None."""
    value = function(x)
    for j in np.flatnonzero(diagonal & (x[: diagonal.size] == 0.0)):
        probe = x.copy()
        probe[j] = 1e-3
        if function(probe) < value:
            probe[j] = 0.5
            return probe
    return None


def fd_gradient(function, x: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """Central differences (one-sided at a bound θ_j = 0), relative steps."""
    gradient = np.zeros_like(x)
    for j in range(x.size):
        h = 1e-6 * max(1.0, abs(x[j]))
        up = x.copy()
        up[j] += h
        if x[j] - h >= lower[j]:
            down = x.copy()
            down[j] -= h
            gradient[j] = (function(up) - function(down)) / (2.0 * h)
        else:
            gradient[j] = (function(up) - function(x)) / h
    return gradient


def projected_gradient(gradient: np.ndarray, x: np.ndarray, lower: np.ndarray) -> np.ndarray:
    out = gradient.copy()
    out[(x <= lower) & (gradient > 0.0)] = 0.0
    return out


def newton_polish(function, x: np.ndarray, lower: np.ndarray, iterations: int = 6) -> np.ndarray:
    """Newton steps with a finite-difference Hessian on the parameters not at their bound."""
    free = np.flatnonzero(x > lower)
    if not free.size:
        return x
    value = function(x)
    for _ in range(iterations):
        steps = 1e-4 * np.maximum(1.0, np.abs(x[free]))
        m = free.size
        cache: dict[tuple, float] = {}

        def at(offsets, x=x, steps=steps, cache=cache):
            key = tuple(offsets)
            if key not in cache:
                point = x.copy()
                point[free] += np.asarray(offsets) * steps
                cache[key] = function(point)
            return cache[key]

        gradient, hessian = np.zeros(m), np.zeros((m, m))
        eye = np.eye(m, dtype=int)
        for i in range(m):
            gradient[i] = (at(eye[i]) - at(-eye[i])) / (2 * steps[i])
            hessian[i, i] = (at(eye[i]) - 2 * value + at(-eye[i])) / steps[i] ** 2
            for j in range(i):
                hessian[i, j] = hessian[j, i] = (
                    at(eye[i] + eye[j])
                    - at(eye[i] - eye[j])
                    - at(eye[j] - eye[i])
                    + at(-eye[i] - eye[j])
                ) / (4 * steps[i] * steps[j])
        try:
            step = -np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            break
        if not np.isfinite(step).all() or gradient @ step >= 0:
            break
        candidate = x.copy()
        candidate[free] = np.maximum(x[free] + step, lower[free])
        candidate_value = function(candidate)
        if not candidate_value < value:
            break
        x, value = candidate, candidate_value
        if np.abs(step).max() < 1e-10 * max(1.0, np.abs(x).max()):
            break
    return x


# --- the profiled Gaussian deviance (lmer), shared by the crossed and the general LMM ----------


def profiled_criterion(L: np.ndarray, offset: int, logdet_m: float, n: int, reml: bool) -> float:
    """lmer's profiled REML/ML deviance from the joint factor L of [ΛZ X y] past the random
    effects (rows offset .. offset + p are X's, the last row y's), and log|M|."""
    diagonal = np.diag(L)
    p = L.shape[0] - offset - 1
    pwrss = diagonal[-1] ** 2
    dof = n - p if reml else n
    value = logdet_m + dof * (1.0 + math.log(2.0 * math.pi * pwrss / dof))
    if reml:
        value += 2.0 * np.log(diagonal[offset : offset + p]).sum()
    return float(value)


def profiled_estimates(
    L: np.ndarray, offset: int, n: int, reml: bool
) -> tuple[np.ndarray, float, np.ndarray]:
    """β, σ² and cov(β) at the optimum, from the same joint factor as profiled_criterion."""
    p = L.shape[0] - offset - 1
    rx = L[offset : offset + p, offset : offset + p]
    beta = linalg.solve_triangular(rx.T, L[offset + p, offset : offset + p], lower=False)
    sigma2 = L[-1, -1] ** 2 / (n - p if reml else n)
    rx_inverse = linalg.solve_triangular(rx, np.eye(p), lower=True)
    return beta, float(sigma2), sigma2 * (rx_inverse.T @ rx_inverse)
