"""Binomial (logit) GLMM with crossed random intercepts by Laplace maximum likelihood, as glmer.

Rule: PIRLS finds the conditional modes; the Laplace deviance is optimised first over θ with β
inside PIRLS (nAGQ = 0), then jointly over (θ, β) with its exact gradient; standard errors come
from the Hessian of the Laplace deviance with respect to (θ, β), as glmer's default vcov.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import linalg, optimize

from .blocks import Crossed, single_threaded_blas
from .design import build_design
from .general_glmm import fit_general_glmm
from .laplace import Laplace, Mode, conditional_vcov
from .results import (
    MixedResult,
    ModelError,
    NotEstimable,
    RandomEffect,
    fixed_effects_from,
    numerical_failure,
)
from .separation import separating_terms

SINGULAR_TOL = 1e-4  # lme4's isSingular() tolerance on θ
GRADIENT_TOL = 1e-3
HESSIAN_STEP = 1e-4  # lme4's deriv12() step


def hessian_vcov(hessian: np.ndarray, k: int) -> np.ndarray:
    """Covariance of β from the Hessian of the deviance (−2 log L) in (θ, β): 2·H⁻¹, β block."""
    if np.linalg.eigvalsh(hessian).min() <= 0:
        raise linalg.LinAlgError("the Hessian is not positive definite")
    return 2.0 * np.linalg.inv(hessian)[k:, k:]


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
    separating = separating_terms(design)
    if separating:
        raise NotEstimable(
            f"perfect separation: the fixed effects predict {design.response!r} exactly in some "
            f"rows (along {', '.join(separating)}), so the maximum-likelihood estimates are "
            "infinite"
        )
    if design.random_terms:
        return fit_general_glmm(design, formula=formula, conf_level=conf_level)
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

    # Hessian of the Laplace deviance by central differences of the exact gradient. PIRLS
    # failures count from here: far from the optimum (extreme θ in a line search) they are
    # harmless, at the optimum or in the Hessian they are not.
    laplace.pirls_failures = 0
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
        vcov = hessian_vcov(hessian, k)
    except linalg.LinAlgError:
        warnings.append(
            "the Hessian of the Laplace deviance is not positive definite; standard errors are "
            "θ-conditional (lme4's use.hessian = FALSE)"
        )
        vcov = conditional_vcov(laplace, np.concatenate([theta, pad]), optimum_mode)
        se_method = "conditional"

    if not optimum_mode.converged:
        warnings.append("PIRLS did not converge at the optimum: the deviance is approximate")
    elif laplace.pirls_failures:
        warnings.append(
            f"PIRLS did not converge in {laplace.pirls_failures} of the Hessian's "
            f"{2 * d} evaluations: standard errors are approximate"
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
    glmer's default (Hessian of the Laplace deviance); `ModelError` explains any bad input, and
    its subclass `NotEstimable` data that cannot support the model (perfect separation, or a
    numerical breakdown on degenerate data).
    """
    with single_threaded_blas(), numerical_failure():
        result = _fit_glmm(formula, data, family=family, groups=groups, conf_level=conf_level)
    return result.checked()
