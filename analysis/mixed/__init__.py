"""Mixed models in lme4 syntax (binomial GLMM by Laplace, Gaussian LMM by REML/ML).

Rule: numpy/scipy only, block solves that are linear in the number of trials, numbers checked
against R lme4 (tests/analysis/reference/). One or two crossed random intercepts take the crossed
fast path (blocks.py, laplace.py); random slopes, uncorrelated (||) terms and further or nested
grouping factors the general one (terms.py, structure.py, general.py).
"""

from .glmm import fit_glmm
from .lmm import fit_lmm
from .results import (
    Contrast,
    Correlation,
    FixedEffect,
    MixedResult,
    ModelError,
    NotEstimable,
    RandomEffect,
)

__all__ = [
    "Contrast",
    "Correlation",
    "FixedEffect",
    "MixedResult",
    "ModelError",
    "NotEstimable",
    "RandomEffect",
    "fit_glmm",
    "fit_lmm",
]
