"""Gaussian LMM with crossed random intercepts by REML or ML, exact (lme4's profiled deviance).

Rule: for given relative scales θ = σ_group/σ, one Cholesky factor of the bordered system
[[M, Λ'Z'[X y]], [[X y]'ZΛ, [X y]'[X y]]] gives log det M, log det RX'RX, β̂ and the penalised
residual sum of squares, so the criterion is a function of θ alone and is optimised over θ >= 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import linalg, optimize

from .blocks import (
    Crossed,
    Factor,
    cholesky_lower,
    dense_top,
    factorize,
    single_threaded_blas,
)
from .design import Design, build_design
from .general import profiled_criterion, profiled_estimates
from .general_lmm import fit_general_lmm
from .results import (
    MixedResult,
    ModelError,
    NotEstimable,
    RandomEffect,
    fixed_effects_from,
    numerical_failure,
)

SINGULAR_TOL = 1e-4  # lme4's isSingular() tolerance on θ


class _Profiled:
    """The profiled criterion as a function of θ, with the O(n) work done once."""

    # Distinct per-participant trial counts up to which the a-block is pre-reduced (see below).
    MAX_DISTINCT_COUNTS = 64

    def __init__(self, X: np.ndarray, y: np.ndarray, crossed: Crossed, reml: bool):
        self.crossed = crossed
        self.n, self.p = X.shape
        self.reml = reml
        # Everything the criterion needs is a per-level or cross-product sum, computed once.
        bordered = np.hstack([X, y[:, None]])
        self.na, self.nb, self.cross = crossed.weight_pieces(np.ones(self.n))
        xa, xb = crossed.column_sums(bordered)
        self.bordered = (xa, xb, bordered.T @ bordered)
        # The a-block diagonal is D_p = θ_a²·n_p + 1, so it takes one value per distinct trial
        # count n_p (one value in a complete design). Grouping participants by count, the
        # eliminated term Off'D⁻¹Off is Σ_k G_k / D_k with Gram matrices G_k fixed in advance,
        # and an evaluation costs O(k·m²) instead of O(P·m²).
        self.counts, which = np.unique(self.na, return_inverse=True)
        self.grams = None
        if self.counts.size <= self.MAX_DISTINCT_COUNTS:
            coupling = np.hstack([self.cross, xa])
            self.grams = np.stack(
                [coupling[which == k].T @ coupling[which == k] for k in range(self.counts.size)]
            )
            self.members = np.bincount(which)
        self.evaluations = 0

    def factor(self, internal: np.ndarray) -> Factor:
        theta_a, theta_b = internal
        if self.grams is None:
            return factorize(theta_a, theta_b, self.na, self.nb, self.cross, self.bordered)
        xa, xb, xx = self.bordered
        C = self.nb.size
        D = theta_a * theta_a * self.counts + 1.0
        scale = np.concatenate([np.full(C, theta_a * theta_b), np.full(xa.shape[1], theta_a)])
        eliminated = np.tensordot(1.0 / D, self.grams, axes=1) * np.outer(scale, scale)
        top = dense_top(theta_b, self.nb, (xb, xx))
        L = cholesky_lower(top - eliminated)
        # Factor wants the full diagonal only for log det M: repeat each count's value.
        return Factor(D=np.repeat(D, self.members), off=np.zeros((0, 0)), L=L, C=C)

    def criterion(self, internal: np.ndarray) -> float:
        self.evaluations += 1
        try:
            factor = self.factor(internal)
        except linalg.LinAlgError:
            return math.inf
        return profiled_criterion(factor.L, factor.C, factor.logdet_m, self.n, self.reml)

    def estimates(self, internal: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
        factor = self.factor(internal)
        return profiled_estimates(factor.L, factor.C, self.n, self.reml)


def _escape_zero(function, theta: np.ndarray) -> np.ndarray | None:
    """A restart point if some θ_j = 0 is not a minimum along θ_j, else None."""
    value = function(theta)
    for j in np.flatnonzero(theta == 0.0):
        probe = theta.copy()
        probe[j] = 1e-3
        if function(probe) < value:
            probe[j] = 0.5
            return probe
    return None


def _newton_polish(function, theta: np.ndarray, iterations: int = 6) -> np.ndarray:
    """Newton steps on the free θ_j with a finite-difference Hessian.

    L-BFGS-B stops on a small relative decrease of the criterion, which on a flat optimum can
    leave θ ~1e-5 from it; two or three Newton steps bring it to rounding level (the criterion
    has at most two parameters, so a step costs about nine evaluations).
    """
    free = np.flatnonzero(theta > 0.0)
    if not free.size:
        return theta
    value = function(theta)
    for _ in range(iterations):
        steps = 1e-4 * np.maximum(1.0, np.abs(theta[free]))
        m = free.size
        gradient, hessian = np.zeros(m), np.zeros((m, m))
        shifted: dict[tuple, float] = {}

        def at(offsets, theta=theta, steps=steps, shifted=shifted):
            key = tuple(offsets)
            if key not in shifted:
                point = theta.copy()
                point[free] += np.asarray(offsets) * steps
                shifted[key] = function(point)
            return shifted[key]

        for i in range(m):
            unit = np.eye(m, dtype=int)[i]
            gradient[i] = (at(unit) - at(-unit)) / (2 * steps[i])
            hessian[i, i] = (at(unit) - 2 * value + at(-unit)) / steps[i] ** 2
            for j in range(i):
                other = np.eye(m, dtype=int)[j]
                hessian[i, j] = hessian[j, i] = (
                    at(unit + other) - at(unit - other) - at(other - unit) + at(-unit - other)
                ) / (4 * steps[i] * steps[j])
        try:
            step = -np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            break
        if not np.isfinite(step).all() or gradient @ step >= 0:
            break  # not a descent direction: the Hessian is not positive definite here
        candidate = theta.copy()
        candidate[free] = np.maximum(theta[free] + step, 0.0)
        candidate_value = function(candidate)
        if not candidate_value < value:
            break
        theta, value = candidate, candidate_value
        if np.abs(step).max() < 1e-10 * max(1.0, np.abs(theta).max()):
            break
    return theta


def _projected_gradient(function, x: np.ndarray, step: float = 1e-6) -> np.ndarray:
    """Central-difference gradient; one-sided at the θ = 0 bound, zeroed where the bound binds."""
    gradient = np.zeros_like(x)
    for j in range(x.size):
        h = step * max(1.0, abs(x[j]))
        up = x.copy()
        up[j] += h
        if x[j] >= h:
            down = x.copy()
            down[j] -= h
            gradient[j] = (function(up) - function(down)) / (2.0 * h)
        else:
            gradient[j] = (function(up) - function(x)) / h
            if x[j] <= 0.0 and gradient[j] > 0.0:
                gradient[j] = 0.0
    return gradient


def _check_residual_dof(design: Design) -> None:
    """lmer's check: the random effects must leave residual degrees of freedom, and y must vary
    beyond the fixed effects."""
    q = sum(term.q * term.n_levels for term in design.random_terms)
    for term in design.random_terms:
        if term.q * term.n_levels >= design.y.size:
            raise ModelError(
                f"random-effects term ({' + '.join(term.names)} | {term.group}) has "
                f"{term.q * term.n_levels} random effects for {design.y.size} observations; "
                "they cannot be separated from the residual variance"
            )
    del q
    if np.ptp(design.y) == 0:
        raise NotEstimable(
            f"no variation in {design.response!r}: it is {design.y[0]:g} in every row"
        )


def _fit_lmm(
    formula: str,
    data: pd.DataFrame,
    *,
    reml: bool = True,
    groups: Sequence[str] | None = None,
    conf_level: float = 0.95,
) -> MixedResult:
    """Fit a Gaussian LMM with one or two crossed random intercepts (REML by default, or ML)."""
    if not 0.0 < conf_level < 1.0:
        raise ModelError(f"conf_level must be between 0 and 1, got {conf_level}")
    design = build_design(formula, data, groups=groups, family="gaussian")
    if design.random_terms:
        _check_residual_dof(design)
        return fit_general_lmm(design, formula=formula, reml=reml, conf_level=conf_level)
    for name, size in zip(design.group_names, design.group_sizes, strict=True):
        if size >= design.y.size:
            raise ModelError(
                f"random intercept group {name!r} has {size} levels for {design.y.size} "
                "observations; its variance cannot be separated from the residual variance"
            )
    crossed = Crossed(design.group_codes, design.group_sizes)
    # The criterion depends on y only through y − Xb for any b (β̂(θ) absorbs Xb), so fit θ on
    # the OLS residuals: with y itself, a response with a large mean (ratings around 8 with a
    # spread of 0.1, say) loses digits to cancellation in the residual sum of squares, enough
    # to make finite-difference gradients noisy and θ inexact in the sixth digit.
    ols = np.linalg.lstsq(design.X, design.y, rcond=None)[0]
    residual = design.y - design.X @ ols
    if not np.abs(residual).max() > 1e-10 * max(1.0, float(np.abs(design.y).max())):
        if design.y.min() == design.y.max():
            raise NotEstimable(
                f"no variation in {design.response!r}: it is {design.y[0]:g} in every row"
            )
        raise NotEstimable(
            f"no variation in {design.response!r} beyond its fixed effects: it is constant "
            "within every combination of them, so no variance can be estimated"
        )
    profiled = _Profiled(design.X, residual, crossed, reml)
    k = len(design.group_names)

    def objective(theta: np.ndarray) -> float:
        return profiled.criterion(np.concatenate([theta, np.zeros(2 - k)]))

    def gradient_of(theta: np.ndarray) -> np.ndarray:
        # Central differences: the criterion is even in each θ_j, so θ_j - h < 0 is fine, and
        # a relative step keeps rounding noise (eps·|criterion|/h) far below the curvature.
        step = 1e-6 * np.maximum(1.0, np.abs(theta))
        return np.array(
            [
                (objective(theta + step[j] * unit) - objective(theta - step[j] * unit))
                / (2.0 * step[j])
                for j, unit in enumerate(np.eye(k))
            ]
        )

    # Start where lme4 starts (θ = 1). The criterion is even in each θ_j, so θ_j = 0 is always
    # stationary: an optimizer projected onto the bound can stop there although the optimum is
    # inside. Restart away from 0 whenever a small positive θ_j does better.
    iterations, theta = 0, np.ones(k)
    for _ in range(1 + k):
        found = optimize.minimize(
            objective,
            theta,
            jac=gradient_of,
            method="L-BFGS-B",
            bounds=[(0.0, None)] * k,
            options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 500},
        )
        theta, iterations = found.x, iterations + found.nit
        theta = np.where(theta < 1e-10, 0.0, theta)
        escaped = _escape_zero(objective, theta)
        if escaped is None:
            break
        theta = escaped
    theta = _newton_polish(objective, theta)
    gradient = _projected_gradient(objective, theta)
    internal = np.concatenate([theta, np.zeros(2 - k)])
    beta, sigma2, vcov = profiled.estimates(internal)
    beta = beta + ols
    criterion = objective(theta)
    theta_formula = crossed.to_formula(internal[:k])

    warnings = []
    singular = bool((theta_formula < SINGULAR_TOL).any())
    if singular:
        names = [g for g, t in zip(design.group_names, theta_formula, strict=True) if t < 1e-4]
        warnings.append(
            f"singular fit: the variance of {', '.join(map(repr, names))} is estimated as (near) 0"
        )
    max_gradient = float(np.abs(gradient).max())
    converged = bool(found.success or max_gradient < 1e-3) and math.isfinite(criterion)
    if not converged:
        warnings.append(
            f"REML/ML optimisation did not converge ({found.message}); "
            f"max |gradient| = {max_gradient:.3g}"
        )

    n, p = design.X.shape
    n_parameters = p + k + 1
    log_likelihood = -criterion / 2.0
    return MixedResult(
        family="gaussian",
        method="REML" if reml else "ML",
        formula=formula,
        response=design.response,
        n_obs=n,
        n_groups=tuple(zip(design.group_names, design.group_sizes, strict=True)),
        fixed_effects=fixed_effects_from(
            design.terms, beta, vcov, conf_level=conf_level, odds=False
        ),
        random_effects=tuple(
            RandomEffect(
                group=name, variance=float(t * t * sigma2), sd=float(abs(t)) * math.sqrt(sigma2)
            )
            for name, t in zip(design.group_names, theta_formula, strict=True)
        ),
        residual_variance=sigma2,
        log_likelihood=log_likelihood,
        aic=-2.0 * log_likelihood + 2.0 * n_parameters,
        bic=-2.0 * log_likelihood + math.log(n) * n_parameters,
        deviance=criterion,
        converged=converged,
        max_abs_gradient=max_gradient,
        singular=singular,
        n_iterations=iterations,
        se_method="exact",
        warnings=tuple(warnings),
        vcov=vcov,
        conf_level=conf_level,
    )


def fit_lmm(
    formula: str,
    data: pd.DataFrame,
    *,
    reml: bool = True,
    groups: Sequence[str] | None = None,
    conf_level: float = 0.95,
) -> MixedResult:
    """Fit a Gaussian LMM with one or two crossed random intercepts, by REML (default) or ML.

    `formula` is lme4-style ("y ~ a * b + (1|participant) + (1|case)"), or its fixed part with
    `groups=`. Var(β̂) is exact given θ, as lmer's vcov; `ModelError` explains any bad input, and
    its subclass `NotEstimable` data that cannot support the model (no residual variation, or a
    numerical breakdown on degenerate data).
    """
    with single_threaded_blas(), numerical_failure():
        result = _fit_lmm(formula, data, reml=reml, groups=groups, conf_level=conf_level)
    return result.checked()
