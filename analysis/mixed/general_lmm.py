"""Gaussian LMM with general random-effects terms: lmer's profiled REML or ML deviance over θ.

Rule: θ holds the column-wise lower triangles of each term's relative covariance factor;
M = Λ'Z'ZΛ + I is factored through analysis.mixed.structure and β, σ² are profiled out as lmer
does. The optimum is found by L-BFGS-B on θ, a restart off any θ_j = 0 that is not a minimum, and
Newton steps on the free parameters (analysis.mixed.general).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize

from .design import Design
from .general import (
    escape_zero,
    fd_gradient,
    n_groups,
    newton_polish,
    profiled_criterion,
    profiled_estimates,
    projected_gradient,
    singular_terms,
    varcorr,
)
from .results import MixedResult, fixed_effects_from
from .structure import Factor, Structure
from .terms import theta_layout

GRADIENT_TOL = 1e-3


class ProfiledLMM:
    """lmer's profiled REML/ML criterion of θ; the O(n) products are formed once."""

    def __init__(self, design: Design, y: np.ndarray, reml: bool):
        self.terms = design.random_terms
        self.structure = Structure(self.terms, design.X, None, None)
        self.n, self.p = design.X.shape
        self.reml = reml
        bordered = np.hstack([design.X, y[:, None]])
        self.pieces = self.structure.pieces(np.ones(self.n), bordered)
        _, self.lower, self.slices = theta_layout(self.terms)

    def factor(self, theta: np.ndarray) -> Factor:
        T = self.structure.templates(theta, self.slices)
        return self.structure.factor(T, self.pieces)

    def criterion(self, theta: np.ndarray) -> float:
        try:
            factor = self.factor(theta)
        except np.linalg.LinAlgError:
            return math.inf
        return profiled_criterion(factor.L, factor.mr, factor.logdet_m, self.n, self.reml)

    def estimates(self, theta: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
        factor = self.factor(theta)
        return profiled_estimates(factor.L, factor.mr, self.n, self.reml)


def fit_general_lmm(design: Design, *, formula: str, reml: bool, conf_level: float) -> MixedResult:
    ols = np.linalg.lstsq(design.X, design.y, rcond=None)[0]
    residual = design.y - design.X @ ols
    profiled = ProfiledLMM(design, residual, reml)
    start, lower, slices = theta_layout(design.random_terms)
    diagonal = lower == 0.0
    objective = profiled.criterion
    bounds = [(0.0 if d else None, None) for d in diagonal]
    theta, iterations, found = start, 0, None
    for _ in range(1 + int(diagonal.sum())):
        found = optimize.minimize(
            objective,
            theta,
            jac=lambda x: fd_gradient(objective, x, lower),
            method="L-BFGS-B",
            bounds=bounds,
            options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 500},
        )
        theta, iterations = found.x.copy(), iterations + found.nit
        theta[diagonal & (theta < 1e-10)] = 0.0
        escaped = escape_zero(objective, theta, diagonal)
        if escaped is None:
            break
        theta = escaped
    theta = newton_polish(objective, theta, lower)
    gradient = projected_gradient(fd_gradient(objective, theta, lower), theta, lower)
    beta, sigma2, vcov = profiled.estimates(theta)
    beta = beta + ols
    criterion = objective(theta)

    warnings = []
    singular_names = singular_terms(design.random_terms, theta, slices)
    if singular_names:
        warnings.append(f"singular fit: {'; '.join(singular_names)}; simplify the random effects")
    max_gradient = float(np.abs(gradient).max()) if gradient.size else 0.0
    converged = bool(found.success or max_gradient < GRADIENT_TOL) and math.isfinite(criterion)
    if not converged:
        warnings.append(
            f"REML/ML optimisation did not converge ({found.message}); "
            f"max |gradient| = {max_gradient:.3g}"
        )
    n, p = design.X.shape
    n_parameters = p + theta.size + 1
    log_likelihood = -criterion / 2.0
    variances, correlations = varcorr(design.random_terms, theta, slices, sigma2)
    return MixedResult(
        family="gaussian",
        method="REML" if reml else "ML",
        formula=formula,
        response=design.response,
        n_obs=n,
        n_groups=n_groups(design),
        fixed_effects=fixed_effects_from(
            design.terms, beta, vcov, conf_level=conf_level, odds=False
        ),
        random_effects=variances,
        correlations=correlations,
        theta=tuple(float(t) for t in theta),
        residual_variance=sigma2,
        log_likelihood=log_likelihood,
        aic=-2.0 * log_likelihood + 2.0 * n_parameters,
        bic=-2.0 * log_likelihood + math.log(n) * n_parameters,
        deviance=criterion,
        converged=converged,
        max_abs_gradient=max_gradient,
        singular=bool(singular_names),
        n_iterations=iterations,
        se_method="exact",
        warnings=tuple(warnings),
        vcov=vcov,
        conf_level=conf_level,
    )
