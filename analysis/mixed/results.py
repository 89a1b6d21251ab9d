"""Result objects of the mixed-model fits: immutable, rendering-free, JSON-ready on request.

Rule: a result holds numbers and diagnostics only; every derived number (CIs, odds ratios,
contrasts) is computed from the estimates and `vcov` it carries, with the same normal quantile.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats


class ModelError(ValueError):
    """A model cannot be fitted as specified; the message says what is wrong and where."""


class NotEstimable(ModelError):
    """The data cannot support the model (too few participants, no variation, separation, a
    numerical breakdown on degenerate data); the message says in plain words what is missing."""


@contextlib.contextmanager
def numerical_failure() -> Iterator[None]:
    """Turn a numerical breakdown inside a fit (a matrix that is not positive definite, an
    overflow, a division by zero) into NotEstimable: on degenerate data these are not bugs but
    the data's answer, and callers handle one typed error."""
    try:
        yield
    except (np.linalg.LinAlgError, FloatingPointError, OverflowError, ZeroDivisionError) as error:
        raise NotEstimable(
            "the model cannot be estimated on these data: the computation broke down "
            f"({error}); there are too few observations, or too little variation, for its terms"
        ) from error


def safe_exp(value: float) -> float:
    """exp that gives inf instead of raising OverflowError (odds ratios of huge log-odds)."""
    try:
        return math.exp(value)
    except OverflowError:
        return math.inf


@dataclass(frozen=True)
class FixedEffect:
    term: str
    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    z: float
    p: float
    odds_ratio: float | None = None
    or_ci_low: float | None = None
    or_ci_high: float | None = None


@dataclass(frozen=True)
class RandomEffect:
    """One variance of VarCorr: the random effect of `term` (patsy-style column name,
    "Intercept" for the intercept) by `group`."""

    group: str
    variance: float
    sd: float
    term: str = "Intercept"


@dataclass(frozen=True)
class Correlation:
    """One correlation of VarCorr, between two columns of a correlated random-effects term."""

    group: str
    term1: str
    term2: str
    correlation: float


@dataclass(frozen=True)
class Contrast:
    name: str
    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    z: float
    p: float
    odds_ratio: float | None = None
    or_ci_low: float | None = None
    or_ci_high: float | None = None


def wald(
    estimate: float, std_error: float, *, conf_level: float, odds: bool
) -> dict[str, float | None]:
    """Wald z, two-sided normal p and CI; exponentiated for odds ratios when `odds`."""
    quantile = stats.norm.ppf(0.5 + conf_level / 2.0)
    low = estimate - quantile * std_error
    high = estimate + quantile * std_error
    # A zero, infinite or NaN standard error gives no test (NaN), never a division error.
    testable = math.isfinite(std_error) and std_error > 0 and math.isfinite(estimate)
    z = estimate / std_error if testable else math.nan
    p = 2.0 * stats.norm.sf(abs(z)) if testable else math.nan
    values: dict[str, float | None] = {
        "estimate": float(estimate),
        "std_error": float(std_error),
        "ci_low": float(low),
        "ci_high": float(high),
        "z": float(z),
        "p": float(p),
    }
    if odds:
        values.update(
            odds_ratio=safe_exp(estimate), or_ci_low=safe_exp(low), or_ci_high=safe_exp(high)
        )
    return values


@dataclass(frozen=True, eq=False)
class MixedResult:
    """A fitted crossed random-intercept model (GLMM by Laplace, or LMM by REML/ML)."""

    family: str
    method: str
    formula: str
    response: str
    n_obs: int
    n_groups: tuple[tuple[str, int], ...]
    fixed_effects: tuple[FixedEffect, ...]
    random_effects: tuple[RandomEffect, ...]
    residual_variance: float | None
    log_likelihood: float
    aic: float
    bic: float
    deviance: float
    converged: bool
    max_abs_gradient: float
    singular: bool
    n_iterations: int
    se_method: str
    warnings: tuple[str, ...]
    vcov: np.ndarray = field(repr=False)
    conf_level: float = 0.95
    correlations: tuple[Correlation, ...] = ()
    theta: tuple[float, ...] = ()  # lme4's getME(fit, "theta") order within each term

    def checked(self) -> MixedResult:
        """This result, or NotEstimable when its estimates or log-likelihood are not finite
        (an optimiser that ran off to infinity on degenerate data)."""
        beta = np.array([effect.estimate for effect in self.fixed_effects])
        variances = [effect.variance for effect in self.random_effects]
        if self.residual_variance is not None:
            variances.append(self.residual_variance)
        if not (
            np.isfinite(beta).all()
            and np.isfinite(variances).all()
            and math.isfinite(self.log_likelihood)
        ):
            raise NotEstimable(
                "the model cannot be estimated on these data: the fit gave non-finite "
                "estimates; there are too few observations, or too little variation, for its terms"
            )
        return self

    def term_names(self) -> tuple[str, ...]:
        return tuple(effect.term for effect in self.fixed_effects)

    def fixed_table(self) -> pd.DataFrame:
        """One row per term: term, estimate, std_error, ci_low, ci_high, z, p (+ odds ratios)."""
        columns = ["term", "estimate", "std_error", "ci_low", "ci_high", "z", "p"]
        if self.family == "binomial":
            columns += ["odds_ratio", "or_ci_low", "or_ci_high"]
        rows = [{name: getattr(effect, name) for name in columns} for effect in self.fixed_effects]
        return pd.DataFrame(rows, columns=columns)

    def to_dict(self) -> dict:
        """JSON-ready summary (plain floats, lists); the caller adds its own model name."""
        fixed_keys = ["term", "estimate", "std_error", "ci_low", "ci_high", "z", "p"]
        if self.family == "binomial":
            fixed_keys += ["odds_ratio", "or_ci_low", "or_ci_high"]
        return {
            "formula": self.formula,
            "family": self.family,
            "method": self.method,
            "response": self.response,
            "n_obs": self.n_obs,
            "n_groups": {name: count for name, count in self.n_groups},
            "fixed_effects": [
                {key: getattr(effect, key) for key in fixed_keys} for effect in self.fixed_effects
            ],
            # lme4's VarCorr as rows: one per variance, then one per correlation.
            "random_effects": [
                {
                    "group": effect.group,
                    "term": effect.term,
                    "variance": effect.variance,
                    "sd": effect.sd,
                }
                for effect in self.random_effects
            ]
            + [
                {
                    "group": c.group,
                    "term1": c.term1,
                    "term2": c.term2,
                    "correlation": c.correlation,
                }
                for c in self.correlations
            ],
            "residual_variance": self.residual_variance,
            "log_likelihood": self.log_likelihood,
            "aic": self.aic,
            "bic": self.bic,
            "deviance": self.deviance,
            "converged": self.converged,
            "singular": self.singular,
            "max_abs_gradient": self.max_abs_gradient,
            "n_iterations": self.n_iterations,
            "se_method": self.se_method,
            "conf_level": self.conf_level,
            "warnings": list(self.warnings),
        }

    def contrast(self, weights: Mapping[str, float] | Sequence[float], *, name: str) -> Contrast:
        """Wald test of the linear combination L'β (weights by term name, or one per term)."""
        terms = self.term_names()
        if isinstance(weights, Mapping):
            unknown = [term for term in weights if term not in terms]
            if unknown:
                raise ModelError(
                    f"contrast {name!r}: unknown term(s) {', '.join(map(repr, unknown))}; "
                    f"the model's terms are {', '.join(terms)}"
                )
            vector = np.array([float(weights.get(term, 0.0)) for term in terms])
        else:
            vector = np.asarray(weights, dtype=float)
            if vector.shape != (len(terms),):
                raise ModelError(
                    f"contrast {name!r}: expected {len(terms)} weights (one per term), "
                    f"got {vector.size}"
                )
        beta = np.array([effect.estimate for effect in self.fixed_effects])
        estimate = float(vector @ beta)
        std_error = math.sqrt(max(float(vector @ self.vcov @ vector), 0.0))
        values = wald(
            estimate, std_error, conf_level=self.conf_level, odds=self.family == "binomial"
        )
        return Contrast(name=name, **values)


def fixed_effects_from(
    terms: Sequence[str], beta: np.ndarray, vcov: np.ndarray, *, conf_level: float, odds: bool
) -> tuple[FixedEffect, ...]:
    std_errors = np.sqrt(np.clip(np.diag(vcov), 0.0, None))
    return tuple(
        FixedEffect(term=term, **wald(float(b), float(se), conf_level=conf_level, odds=odds))
        for term, b, se in zip(terms, beta, std_errors, strict=True)
    )
