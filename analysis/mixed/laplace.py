"""The Laplace approximation to a binomial GLMM's deviance, its exact gradient, and PIRLS.

Rule: everything is evaluated at the conditional modes found by penalised IRLS, through the
block factor of M (blocks.py); the gradient is exact (envelope theorem plus the derivative of
log det M through the moving modes), so the optimiser and the Hessian need no nested differences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg

from .blocks import Crossed, Factor, factorize
from .design import Design

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
        # Each pass factors M at the current modes before deciding to stop, so the returned
        # factor, weights and modes always belong together.
        while True:
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
            if iteration > PIRLS_MAX_ITER:
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


def conditional_vcov(laplace: Laplace, theta: np.ndarray, mode: Mode) -> np.ndarray:
    """lme4's use.hessian = FALSE covariance: (X'WX − X'WZ̃M⁻¹Z̃'WX)⁻¹ at the modes."""
    crossed = laplace.crossed
    factor = factorize(theta[0], theta[1], *mode.pieces, laplace.fixed.bordered(mode.w))
    rx = factor.L[crossed.C :, crossed.C :]
    rx_inverse = linalg.solve_triangular(rx, np.eye(rx.shape[0]), lower=True)
    return rx_inverse.T @ rx_inverse
