"""Crossed random-intercept mixed models (binomial GLMM by Laplace, Gaussian LMM by REML/ML).

Rule: numpy/scipy only, block solves that are linear in the number of trials, numbers checked
against R lme4 (tests/analysis/reference/).
"""

from .glmm import fit_glmm
from .lmm import fit_lmm
from .results import (
    Contrast,
    FixedEffect,
    MixedResult,
    ModelError,
    NotEstimable,
    RandomEffect,
)

__all__ = [
    "Contrast",
    "FixedEffect",
    "MixedResult",
    "ModelError",
    "NotEstimable",
    "RandomEffect",
    "fit_glmm",
    "fit_lmm",
]
