"""Binomial (logit) GLMM with crossed random intercepts by Laplace maximum likelihood, as glmer.

Rule: PIRLS finds the conditional modes; the Laplace deviance is optimised first over θ with β
inside PIRLS (nAGQ = 0), then jointly over (θ, β) with its exact gradient; standard errors come
from the Hessian of the Laplace deviance with respect to (θ, β), as glmer's default vcov.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import linalg, optimize

from .blocks import Crossed, Factor, factorize, single_threaded_blas
from .design import Design, build_design
from .results import MixedResult, ModelError, RandomEffect, fixed_effects_from

SINGULAR_TOL = 1e-4  # lme4's isSingular() tolerance on θ
GRADIENT_TOL = 1e-3
HESSIAN_STEP = 1e-4  # lme4's deriv12() step
PIRLS_TOL = 1e-12  # Newton decrement, in deviance units
PIRLS_MAX_ITER = 60


class FixedPart:
    """Products with X, through its distinct rows when there are few of them.

    The study's designs have 8 distinct rows, so Xβ is a gather and X'WX, Z'WX are bincounts
    over (level, cell) instead of passes over an n x p matrix.
    """

    def __init__(self, design: Design, crossed: Crossed):
        self.X, self.crossed = design.X, crossed
        self.p = design.X.shape[1]
        few = design.cells is not None and design.cell_X.shape[0] ** 2 <= design.X.shape[0]
        self.cells = design.cells if few else None
        self.cell_X = design.cell_X if few else None

    def times(self, beta: np.ndarray) -> np.ndarray:
        if self.cells is None:
            return self.X @ beta
        return (self.cell_X @ beta)[self.cells]

    def transposed_times(self, values: np.ndarray) -> np.ndarray:
        if self.cells is None:
            return self.X.T @ values
        cell_X = self.cell_X
        return cell_X.T @ np.bincount(self.cells, weights=values, minlength=cell_X.shape[0])

    def bordered(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(Z_a'WX, Z_b'WX, X'WX)."""
        crossed = self.crossed
        if self.cells is None:
            weighted = self.X * w[:, None]
            xa, xb = crossed.column_sums(weighted)
            return xa, xb, self.X.T @ weighted
        cell_X, cells = self.cell_X, self.cells
        K = cell_X.shape[0]
        per_cell = np.bincount(cells, weights=w, minlength=K)
        xa = np.bincount(crossed.a * K + cells, weights=w, minlength=crossed.P * K)
        xa = xa.reshape(crossed.P, K) @ cell_X
        if crossed.C:
            xb = np.bincount(crossed.b * K + cells, weights=w, minlength=crossed.C * K)
            xb = xb.reshape(crossed.C, K) @ cell_X
        else:
            xb = np.zeros((0, self.p))
        return xa, xb, cell_X.T @ (cell_X * per_cell[:, None])


@dataclass
class Mode:
    """Conditional modes and everything at them that the deviance and its gradient need."""

    ua: np.ndarray
    ub: np.ndarray
    beta: np.ndarray
    eta: np.ndarray
    mu: np.ndarray
    w: np.ndarray
    factor: Factor
    pieces: tuple[np.ndarray, np.ndarray, np.ndarray]
    deviance_sum: float  # Σ binomial deviance residuals
    converged: bool
    iterations: int

    @property
    def laplace(self) -> float:
        penalty = float(self.ua @ self.ua + self.ub @ self.ub)
        return self.deviance_sum + penalty + self.factor.logdet_m


class Laplace:
    def __init__(self, design: Design, crossed: Crossed):
        self.fixed = FixedPart(design, crossed)
        self.y, self.crossed = design.y, crossed
        self.n, self.p = design.X.shape
        self.sign = 2.0 * design.y - 1.0
        self.pirls_iterations = 0
        self.pirls_failures = 0

    def _state(self, ua, ub, beta, theta):
        crossed = self.crossed
        eta = self.fixed.times(beta) + theta[0] * ua[crossed.a]
        if crossed.C:
            eta += theta[1] * ub[crossed.b]
        # One exp serves both μ and the deviance, without overflow: with e = exp(-|η|),
        # μ = 1/(1+e) or e/(1+e), and d_i = 2[max(t, 0) + log(1+e)] for t = -(2y-1)η.
        e = np.exp(-np.abs(eta))
        inverse = 1.0 / (1.0 + e)
        mu = np.where(eta >= 0.0, inverse, e * inverse)
        t = -self.sign * eta
        deviance_sum = 2.0 * float(np.maximum(t, 0.0).sum() + np.log1p(e).sum())
        return eta, mu, deviance_sum

    def pirls(
        self, theta: np.ndarray, beta: np.ndarray, start: Mode | None, *, joint: bool
    ) -> Mode:
        """Penalised IRLS for u (and β too when `joint`, glmer's nAGQ = 0 stage)."""
        crossed = self.crossed
        ua = start.ua.copy() if start is not None else np.zeros(crossed.P)
        ub = start.ub.copy() if start is not None else np.zeros(crossed.C)
        if joint and start is not None:
            beta = start.beta.copy()
        eta, mu, deviance_sum = self._state(ua, ub, beta, theta)
        converged = False
        iteration = 0
        while iteration < PIRLS_MAX_ITER:
            iteration += 1
            w = mu * (1.0 - mu)
            pieces = crossed.weight_pieces(w)
            bordered = None
            if joint:
                bordered = self.fixed.bordered(w)
            factor = factorize(theta[0], theta[1], *pieces, bordered)
            residual = self.y - mu
            rhs_a = theta[0] * crossed.sums_a(residual) - ua
            rhs_dense = theta[1] * crossed.sums_b(residual) - ub
            if joint:
                rhs_dense = np.concatenate([rhs_dense, self.fixed.transposed_times(residual)])
            step_a, step_dense = factor.solve(rhs_a, rhs_dense)
            decrement = float(rhs_a @ step_a + rhs_dense @ step_dense)
            if decrement < PIRLS_TOL:
                converged = True
                break
            step_b = step_dense[: crossed.C]
            penalised = deviance_sum + ua @ ua + ub @ ub
            fraction = 1.0
            for _ in range(30):
                new_ua, new_ub = ua + fraction * step_a, ub + fraction * step_b
                new_beta = beta + fraction * step_dense[crossed.C :] if joint else beta
                new_eta, new_mu, new_deviance = self._state(new_ua, new_ub, new_beta, theta)
                new_penalised = new_deviance + new_ua @ new_ua + new_ub @ new_ub
                # Accept rounding-level increases: near the mode the decrease is below eps.
                if new_penalised <= penalised + 1e-10 * (1.0 + abs(penalised)):
                    break
                fraction /= 2.0
            else:
                break  # no step decreases the penalised deviance: not converged
            ua, ub, beta = new_ua, new_ub, new_beta
            eta, mu, deviance_sum = new_eta, new_mu, new_deviance
        self.pirls_iterations += iteration
        if not converged:
            self.pirls_failures += 1
        return Mode(
            ua=ua,
            ub=ub,
            beta=np.array(beta, dtype=float),
            eta=eta,
            mu=mu,
            w=w,
            factor=factor,
            pieces=pieces,
            deviance_sum=deviance_sum,
            converged=converged,
            iterations=iteration,
        )

    def gradient(self, theta: np.ndarray, mode: Mode) -> np.ndarray:
        """Exact gradient of the Laplace deviance with respect to (θ_a, θ_b, β).

        Envelope theorem for Σd + ‖u‖² (u is its minimiser), plus the total derivative of
        log det M through θ directly and through the weights at the moving mode û(θ, β).
        """
        crossed, factor = self.crossed, mode.factor
        ta, tb = theta
        a, b = crossed.a, crossed.b
        na, nb, cross = mode.pieces
        D = factor.D
        # Pieces of M⁻¹: diagonal of the a-block, the a-b block and the b-block.
        s_inverse = factor.dense_inverse()  # C x C
        coupled = factor.off / D[:, None]  # D⁻¹ B̃, P x C
        inv_ab = -coupled @ s_inverse
        inv_aa = 1.0 / D - np.einsum("pc,pc->p", inv_ab, coupled)
        inv_bb = np.diag(s_inverse)
        # h_i = z̃_i' M⁻¹ z̃_i, the derivative of log det M with respect to w_i.
        h = ta * ta * inv_aa[a]
        if crossed.C:
            h += 2.0 * ta * tb * inv_ab.ravel()[crossed.ab] + tb * tb * inv_bb[b]
        residual = self.y - mode.mu
        g = h * mode.w * (1.0 - 2.0 * mode.mu)
        s_a, s_b = factor.solve(ta * crossed.sums_a(g), tb * crossed.sums_b(g))
        z_s = ta * s_a[a]
        if crossed.C:
            z_s += tb * s_b[b]
        r = g - mode.w * z_s
        grad_beta = self.fixed.transposed_times(r - 2.0 * residual)
        ua_rows = mode.ua[a]
        grad_a = (
            float(ua_rows @ (r - 2.0 * residual))
            + float(s_a[a] @ residual)
            + 2.0 * ta * float(inv_aa @ na)
        )
        grad_b = 0.0
        if crossed.C:
            cross_trace = float(np.einsum("pc,pc->", inv_ab, cross))
            grad_a += 2.0 * tb * cross_trace
            ub_rows = mode.ub[b]
            grad_b = (
                float(ub_rows @ (r - 2.0 * residual))
                + float(s_b[b] @ residual)
                + 2.0 * tb * float(inv_bb @ nb)
                + 2.0 * ta * cross_trace
            )
        return np.concatenate([[grad_a, grad_b], grad_beta])


def _conditional_vcov(laplace: Laplace, theta: np.ndarray, mode: Mode) -> np.ndarray:
    """lme4's use.hessian = FALSE covariance: (X'WX − X'WZ̃M⁻¹Z̃'WX)⁻¹ at the modes."""
    crossed = laplace.crossed
    factor = factorize(theta[0], theta[1], *mode.pieces, laplace.fixed.bordered(mode.w))
    rx = factor.L[crossed.C :, crossed.C :]
    rx_inverse = linalg.solve_triangular(rx, np.eye(rx.shape[0]), lower=True)
    return rx_inverse.T @ rx_inverse


def _fit_glmm(
    formula: str,
    data: pd.DataFrame,
    *,
    family: str = "binomial",
    groups: Sequence[str] | None = None,
    conf_level: float = 0.95,
) -> MixedResult:
    """Fit a binomial (logit) GLMM with one or two crossed random intercepts (Laplace, nAGQ=1)."""
    if family != "binomial":
        raise ModelError(
            f"family {family!r} is not supported by fit_glmm: only 'binomial' (logit); "
            "use fit_lmm for a Gaussian response"
        )
    if not 0.0 < conf_level < 1.0:
        raise ModelError(f"conf_level must be between 0 and 1, got {conf_level}")
    design = build_design(formula, data, groups=groups, family="binomial")
    if design.y.min() == design.y.max():
        raise ModelError(
            f"response {design.response!r} is constant ({int(design.y[0])} in every row); "
            "a logistic model cannot be fitted"
        )
    crossed = Crossed(design.group_codes, design.group_sizes)
    laplace = Laplace(design, crossed)
    k, p = len(design.group_names), design.X.shape[1]
    pad = np.zeros(2 - k)
    warnings: list[str] = []

    # Stage 1 (nAGQ = 0): θ only, β updated jointly with u inside PIRLS.
    cache: dict[str, Mode] = {}

    def stage_one(theta: np.ndarray) -> float:
        mode = laplace.pirls(
            np.concatenate([theta, pad]), np.zeros(p), cache.get("one"), joint=True
        )
        cache["one"] = mode
        return mode.laplace

    first = optimize.minimize(
        stage_one,
        np.ones(k),
        method="L-BFGS-B",
        bounds=[(0.0, None)] * k,
        options={"ftol": 1e-10, "gtol": 1e-4, "eps": 1e-6, "maxiter": 200},
    )
    theta_one = first.x
    start_mode = laplace.pirls(
        np.concatenate([theta_one, pad]), np.zeros(p), cache["one"], joint=True
    )

    # Stage 2: joint (θ, β) on the Laplace deviance, exact gradient, modes warm-started.
    cache["two"] = start_mode

    def evaluate(parameters: np.ndarray, start: Mode) -> tuple[Mode, np.ndarray]:
        theta = np.concatenate([parameters[:k], pad])
        mode = laplace.pirls(theta, parameters[k:], start, joint=False)
        return mode, theta

    def stage_two(parameters: np.ndarray) -> tuple[float, np.ndarray]:
        mode, theta = evaluate(parameters, cache["two"])
        cache["two"] = mode
        gradient = laplace.gradient(theta, mode)
        return mode.laplace, np.concatenate([gradient[:k], gradient[2:]])

    x0 = np.concatenate([theta_one, start_mode.beta])
    outer_iterations = first.nit
    # The deviance is even in each θ_j, so θ_j = 0 is always stationary: restart away from the
    # bound whenever a small positive θ_j does better (the optimum is then inside).
    for _ in range(1 + k):
        second = optimize.minimize(
            stage_two,
            x0,
            jac=True,
            method="L-BFGS-B",
            bounds=[(0.0, None)] * k + [(None, None)] * p,
            options={"ftol": 1e-15, "gtol": 1e-8, "maxiter": 1000, "maxls": 50},
        )
        outer_iterations += second.nit
        x0 = second.x.copy()
        at_zero = np.flatnonzero(x0[:k] == 0.0)
        if not at_zero.size:
            break
        value = evaluate(x0, cache["two"])[0].laplace
        for j in at_zero:
            probe = x0.copy()
            probe[j] = 1e-3
            if evaluate(probe, cache["two"])[0].laplace < value:
                x0[j] = 0.5
                break
        else:
            break
    optimum = second.x.copy()
    optimum_mode, _ = evaluate(optimum, cache["two"])
    deviance, gradient = stage_two(optimum)

    # Hessian of the Laplace deviance by central differences of the exact gradient.
    d = k + p
    hessian = np.zeros((d, d))
    for j in range(d):
        columns = []
        for sign in (1.0, -1.0):
            shifted = optimum.copy()
            shifted[j] += sign * HESSIAN_STEP
            mode, theta = evaluate(shifted, optimum_mode)
            full = laplace.gradient(theta, mode)
            columns.append(np.concatenate([full[:k], full[2:]]))
        hessian[:, j] = (columns[0] - columns[1]) / (2.0 * HESSIAN_STEP)
    hessian = (hessian + hessian.T) / 2.0

    # One Newton step from the L-BFGS-B optimum tightens it at the cost of one evaluation.
    theta_free = optimum[:k] > 10 * HESSIAN_STEP
    if theta_free.all():
        try:
            candidate = optimum - linalg.solve(hessian, gradient, assume_a="sym")
            mode, _ = evaluate(candidate, optimum_mode)
            if mode.converged and mode.laplace < deviance and (candidate[:k] > 0).all():
                optimum = candidate
                deviance, gradient = stage_two(optimum)
                optimum_mode = cache["two"]
        except linalg.LinAlgError:
            pass

    projected = gradient.copy()
    at_bound = (optimum[:k] <= 0.0) & (gradient[:k] > 0.0)
    projected[:k][at_bound] = 0.0
    max_gradient = float(np.abs(projected).max())
    theta = optimum[:k]
    beta = optimum[k:]

    se_method = "hessian"
    try:
        eigenvalues = np.linalg.eigvalsh(hessian)
        if eigenvalues.min() <= 0:
            raise linalg.LinAlgError("not positive definite")
        vcov = 2.0 * np.linalg.inv(hessian)[k:, k:]
    except linalg.LinAlgError:
        warnings.append(
            "the Hessian of the Laplace deviance is not positive definite; standard errors are "
            "θ-conditional (lme4's use.hessian = FALSE)"
        )
        vcov = _conditional_vcov(laplace, np.concatenate([theta, pad]), optimum_mode)
        se_method = "conditional"

    if not optimum_mode.converged or laplace.pirls_failures:
        warnings.append(
            f"PIRLS did not converge in {laplace.pirls_failures} of its runs"
            + (" (including at the optimum)" if not optimum_mode.converged else "")
        )
    theta_formula = crossed.to_formula(np.concatenate([theta, pad])[:k])
    singular = bool((np.abs(theta_formula) < SINGULAR_TOL).any())
    if singular:
        names = [g for g, t in zip(design.group_names, theta_formula, strict=True) if abs(t) < 1e-4]
        warnings.append(
            f"singular fit: the variance of {', '.join(map(repr, names))} is estimated as (near) 0"
        )
    converged = bool(optimum_mode.converged and max_gradient < GRADIENT_TOL)
    if max_gradient >= GRADIENT_TOL:
        warnings.append(
            f"model failed to converge: max |gradient| = {max_gradient:.3g} "
            f"(optimizer: {second.message})"
        )

    n = design.X.shape[0]
    n_parameters = p + k
    log_likelihood = -deviance / 2.0
    return MixedResult(
        family="binomial",
        method="Laplace",
        formula=formula,
        response=design.response,
        n_obs=n,
        n_groups=tuple(zip(design.group_names, design.group_sizes, strict=True)),
        fixed_effects=fixed_effects_from(
            design.terms, beta, vcov, conf_level=conf_level, odds=True
        ),
        random_effects=tuple(
            RandomEffect(group=name, variance=float(t * t), sd=float(abs(t)))
            for name, t in zip(design.group_names, theta_formula, strict=True)
        ),
        residual_variance=None,
        log_likelihood=log_likelihood,
        aic=deviance + 2.0 * n_parameters,
        bic=deviance + math.log(n) * n_parameters,
        deviance=deviance,
        converged=converged,
        max_abs_gradient=max_gradient,
        singular=singular,
        n_iterations=int(outer_iterations),
        se_method=se_method,
        warnings=tuple(warnings),
        vcov=vcov,
        conf_level=conf_level,
    )


def fit_glmm(
    formula: str,
    data: pd.DataFrame,
    *,
    family: str = "binomial",
    groups: Sequence[str] | None = None,
    conf_level: float = 0.95,
) -> MixedResult:
    """Fit a binomial (logit) GLMM with one or two crossed random intercepts (Laplace, nAGQ=1).

    `formula` is lme4-style ("y ~ a * b + (1|participant) + (1|case)"), or its fixed part with
    `groups=("participant", "case")`; the response is boolean or 0/1. Standard errors are
    glmer's default (Hessian of the Laplace deviance); `ModelError` explains any bad input.
    """
    with single_threaded_blas():
        return _fit_glmm(formula, data, family=family, groups=groups, conf_level=conf_level)
