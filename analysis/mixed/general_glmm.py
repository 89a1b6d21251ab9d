"""Binomial (logit) GLMM with general random-effects terms: glmer's Laplace deviance (nAGQ = 1).

Rule: PIRLS finds the conditional mode of the spherical random effects for (θ, β); the GLMM is
optimised as glmer does, θ with β inside PIRLS first, then (θ, β) jointly on the Laplace deviance
with its exact gradient. Standard errors come from the Hessian of that deviance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import linalg, optimize

from .design import Design
from .general import escape_zero, n_groups, projected_gradient, singular_terms, varcorr
from .results import MixedResult, fixed_effects_from
from .structure import Factor, Structure, fixed_times, fixed_transposed
from .terms import theta_layout

GRADIENT_TOL = 1e-3
HESSIAN_STEP = 1e-4
PIRLS_TOL = 1e-12
PIRLS_MAX_ITER = 60


@dataclass
class Mode:
    ua: np.ndarray  # (P, qa) spherical modes of the eliminated factor
    ur: np.ndarray  # (mr,) of the rest
    beta: np.ndarray
    eta: np.ndarray
    mu: np.ndarray
    w: np.ndarray
    factor: Factor
    deviance_sum: float
    converged: bool
    iterations: int

    @property
    def laplace(self) -> float:
        penalty = float(np.sum(self.ua * self.ua) + self.ur @ self.ur)
        return self.deviance_sum + penalty + self.factor.logdet_m


class LaplaceGLMM:
    def __init__(self, design: Design):
        self.terms = design.random_terms
        self.structure = Structure(self.terms, design.X, design.cells, design.cell_X)
        self.y = design.y
        self.sign = 2.0 * design.y - 1.0
        self.n, self.p = design.X.shape
        _, self.lower, self.slices = theta_layout(self.terms)
        self.k = self.lower.size
        self.pirls_failures = 0
        self._local_key: bytes | None = None
        self._local: tuple[list[np.ndarray], np.ndarray] | None = None

    def local(self, theta: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        key = theta.tobytes()
        if key != self._local_key:
            T = self.structure.templates(theta, self.slices)
            self._local = (T, self.structure.scaled_local(T))
            self._local_key = key
        return self._local

    def _state(self, ua, ur, beta, local):
        eta = fixed_times(self.structure, beta) + self.structure.times(local, ua, ur)
        e = np.exp(-np.abs(eta))
        inverse = 1.0 / (1.0 + e)
        mu = np.where(eta >= 0.0, inverse, e * inverse)
        t = -self.sign * eta
        deviance_sum = 2.0 * float(np.maximum(t, 0.0).sum() + np.log1p(e).sum())
        return eta, mu, deviance_sum

    def pirls(self, theta, beta, start: Mode | None, *, joint: bool) -> Mode:
        structure = self.structure
        T, local = self.local(theta)
        ua = start.ua.copy() if start is not None else np.zeros((structure.P, structure.qa))
        ur = start.ur.copy() if start is not None else np.zeros(structure.mr)
        if joint and start is not None:
            beta = start.beta.copy()
        beta = np.asarray(beta, dtype=float)
        eta, mu, deviance_sum = self._state(ua, ur, beta, local)
        converged, iteration = False, 0
        mr = structure.mr
        while True:
            iteration += 1
            w = mu * (1.0 - mu)
            factor = structure.factor(T, structure.pieces(w, fixed=joint))
            residual = self.y - mu
            ra, rr = structure.transposed(local, residual)
            ra -= ua
            rr -= ur
            rd = np.concatenate([rr, fixed_transposed(structure, residual)]) if joint else rr
            step_a, step_d = factor.solve(ra, rd)
            decrement = float(np.sum(ra * step_a) + rd @ step_d)
            if decrement < PIRLS_TOL:
                converged = True
                break
            if iteration > PIRLS_MAX_ITER:
                break
            penalised = deviance_sum + float(np.sum(ua * ua) + ur @ ur)
            fraction = 1.0
            for _ in range(30):
                new_ua = ua + fraction * step_a
                new_ur = ur + fraction * step_d[:mr]
                new_beta = beta + fraction * step_d[mr:] if joint else beta
                new_eta, new_mu, new_deviance = self._state(new_ua, new_ur, new_beta, local)
                new_penalised = new_deviance + float(np.sum(new_ua * new_ua) + new_ur @ new_ur)
                if new_penalised <= penalised + 1e-10 * (1.0 + abs(penalised)):
                    break
                fraction /= 2.0
            else:
                break
            ua, ur, beta = new_ua, new_ur, new_beta
            eta, mu, deviance_sum = new_eta, new_mu, new_deviance
        if not converged:
            self.pirls_failures += 1
        # Bordered or not, the factor's leading part is M's, so its log det M is M's.
        return Mode(
            ua,
            ur,
            np.array(beta, dtype=float),
            eta,
            mu,
            w,
            factor,
            deviance_sum,
            converged,
            iteration,
        )

    def gradient(self, theta: np.ndarray, mode: Mode) -> np.ndarray:
        """Exact gradient of the Laplace deviance in (θ, β) (analysis/mixed/laplace.py derives
        the two-intercept case; here with the rows' local blocks of M⁻¹)."""
        structure, factor = self.structure, mode.factor
        _, local = self.local(theta)
        v = structure.local_inverse_times(factor, local)
        h = np.einsum("ij,ij->i", local, v)
        residual = self.y - mode.mu
        g = h * mode.w * (1.0 - 2.0 * mode.mu)
        ga, gr = structure.transposed(local, g)
        sa, sr = factor.solve(ga, gr)
        rho = g - mode.w * structure.times(local, sa, sr)
        grad_beta = fixed_transposed(structure, rho - 2.0 * residual)
        la, rc = structure.la, structure.rc
        u_local = np.hstack([mode.ua[la], mode.ur[rc]]) if structure.mr else mode.ua[la]
        s_local = np.hstack([sa[la], sr[rc]]) if structure.mr else sa[la]
        core = (
            (rho - 2.0 * residual)[:, None] * u_local
            + residual[:, None] * s_local
            + 2.0 * mode.w[:, None] * v
        )
        G = structure.x_local.T @ core
        grad_theta = np.empty(self.k)
        for k, (term, part) in enumerate(zip(self.terms, self.slices, strict=True)):
            idx = structure.local[k]
            for offset, (i, j) in enumerate(term.positions()):
                grad_theta[part.start + offset] = G[idx[i], idx[j]]
        return np.concatenate([grad_theta, grad_beta])

    def conditional_vcov(self, theta: np.ndarray, mode: Mode) -> np.ndarray:
        T, _ = self.local(theta)
        factor = self.structure.factor(T, self.structure.pieces(mode.w, fixed=True))
        mr = self.structure.mr
        rx = factor.L[mr:, mr:]
        rx_inverse = linalg.solve_triangular(rx, np.eye(rx.shape[0]), lower=True)
        return rx_inverse.T @ rx_inverse


def fit_general_glmm(design: Design, *, formula: str, conf_level: float) -> MixedResult:
    laplace = LaplaceGLMM(design)
    start, lower, slices = theta_layout(design.random_terms)
    k, p = start.size, design.X.shape[1]
    diagonal = lower == 0.0
    theta_bounds = [(0.0 if d else None, None) for d in diagonal]
    warnings: list[str] = []
    cache: dict[str, Mode] = {}

    def stage_one(theta: np.ndarray) -> float:
        mode = laplace.pirls(theta, np.zeros(p), cache.get("one"), joint=True)
        cache["one"] = mode
        return mode.laplace

    first = optimize.minimize(
        stage_one,
        start,
        method="L-BFGS-B",
        bounds=theta_bounds,
        options={"ftol": 1e-10, "gtol": 1e-4, "eps": 1e-6, "maxiter": 200},
    )
    theta_one = first.x
    start_mode = laplace.pirls(theta_one, np.zeros(p), cache["one"], joint=True)
    cache["two"] = start_mode

    def evaluate(parameters: np.ndarray, begin: Mode) -> Mode:
        return laplace.pirls(parameters[:k], parameters[k:], begin, joint=False)

    def stage_two(parameters: np.ndarray) -> tuple[float, np.ndarray]:
        mode = evaluate(parameters, cache["two"])
        cache["two"] = mode
        return mode.laplace, laplace.gradient(parameters[:k], mode)

    bounds = theta_bounds + [(None, None)] * p
    full_lower = np.concatenate([lower, np.full(p, -np.inf)])
    x0 = np.concatenate([theta_one, start_mode.beta])
    outer = first.nit
    for _ in range(1 + int(diagonal.sum())):
        second = optimize.minimize(
            stage_two,
            x0,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"ftol": 1e-15, "gtol": 1e-8, "maxiter": 1000, "maxls": 50},
        )
        outer += second.nit
        x0 = second.x.copy()
        escaped = escape_zero(
            lambda x: evaluate(x, cache["two"]).laplace,
            x0,
            np.concatenate([diagonal, np.zeros(p, dtype=bool)]),
        )
        if escaped is None:
            break
        x0 = escaped
    optimum = second.x.copy()
    optimum_mode = evaluate(optimum, cache["two"])
    deviance, gradient = stage_two(optimum)

    laplace.pirls_failures = 0
    d = k + p
    hessian = np.zeros((d, d))
    for j in range(d):
        columns = []
        for sign in (1.0, -1.0):
            shifted = optimum.copy()
            shifted[j] += sign * HESSIAN_STEP
            mode = evaluate(shifted, optimum_mode)
            columns.append(laplace.gradient(shifted[:k], mode))
        hessian[:, j] = (columns[0] - columns[1]) / (2.0 * HESSIAN_STEP)
    hessian = (hessian + hessian.T) / 2.0

    theta_free = ~diagonal | (optimum[:k] > 10 * HESSIAN_STEP)
    if theta_free.all():
        try:
            candidate = optimum - linalg.solve(hessian, gradient, assume_a="sym")
            mode = evaluate(candidate, optimum_mode)
            if mode.converged and mode.laplace < deviance and (candidate[:k] >= lower).all():
                optimum = candidate
                deviance, gradient = stage_two(optimum)
                optimum_mode = cache["two"]
        except linalg.LinAlgError:
            pass

    projected = projected_gradient(gradient, optimum, full_lower)
    max_gradient = float(np.abs(projected).max())
    theta, beta = optimum[:k], optimum[k:]
    se_method = "hessian"
    try:
        if np.linalg.eigvalsh(hessian).min() <= 0:
            raise linalg.LinAlgError("the Hessian is not positive definite")
        vcov = 2.0 * np.linalg.inv(hessian)[k:, k:]
    except linalg.LinAlgError:
        warnings.append(
            "the Hessian of the Laplace deviance is not positive definite; standard errors are "
            "θ-conditional (lme4's use.hessian = FALSE)"
        )
        vcov = laplace.conditional_vcov(theta, optimum_mode)
        se_method = "conditional"
    if not optimum_mode.converged:
        warnings.append("PIRLS did not converge at the optimum: the deviance is approximate")
    elif laplace.pirls_failures:
        warnings.append(
            f"PIRLS did not converge in {laplace.pirls_failures} of the Hessian's "
            f"{2 * d} evaluations: standard errors are approximate"
        )
    singular_names = singular_terms(design.random_terms, theta, slices)
    if singular_names:
        warnings.append(f"singular fit: {'; '.join(singular_names)}; simplify the random effects")
    converged = bool(optimum_mode.converged and max_gradient < GRADIENT_TOL)
    if max_gradient >= GRADIENT_TOL:
        warnings.append(
            f"model failed to converge: max |gradient| = {max_gradient:.3g} "
            f"(optimizer: {second.message})"
        )
    n = design.X.shape[0]
    n_parameters = p + k
    variances, correlations = varcorr(design.random_terms, theta, slices, 1.0)
    return MixedResult(
        family="binomial",
        method="Laplace",
        formula=formula,
        response=design.response,
        n_obs=n,
        n_groups=n_groups(design),
        fixed_effects=fixed_effects_from(
            design.terms, beta, vcov, conf_level=conf_level, odds=True
        ),
        random_effects=variances,
        correlations=correlations,
        theta=tuple(float(t) for t in theta),
        residual_variance=None,
        log_likelihood=-deviance / 2.0,
        aic=deviance + 2.0 * n_parameters,
        bic=deviance + math.log(n) * n_parameters,
        deviance=deviance,
        converged=converged,
        max_abs_gradient=max_gradient,
        singular=bool(singular_names),
        n_iterations=int(outer),
        se_method=se_method,
        warnings=tuple(warnings),
        vcov=vcov,
        conf_level=conf_level,
    )
