"""Simulated physicians and simulated studies: the one generative model (calibrated to Gaube et
al. 2021), vectorised for whole studies (``simulate_trials``) and per trial
(``SimulatedPhysician``, the study app's simulated participants) over the same ``answers_draw``.

Rule: pure and seeded. Randomness comes only from the ``rng`` argument, so the same Generator
state always gives the same answers; the study app, ``simulate_trials`` and the power analysis share
one parametrisation (``GaubeEffects``).
"""

from .effects import GaubeEffects, RandomIntercepts, case_effects_draw, participant_effects_draw
from .physician import (
    SimulatedAnswer,
    SimulatedPhysician,
    answers_draw,
    confidence_mean,
    follow_probability,
    rating_mean,
)
from .studies import ARMS, DIAGNOSES, PLAN_COLUMNS, STRATA, gaube_design, simulate_trials

__all__ = [
    "ARMS",
    "DIAGNOSES",
    "PLAN_COLUMNS",
    "STRATA",
    "GaubeEffects",
    "RandomIntercepts",
    "SimulatedAnswer",
    "SimulatedPhysician",
    "answers_draw",
    "case_effects_draw",
    "confidence_mean",
    "follow_probability",
    "gaube_design",
    "participant_effects_draw",
    "rating_mean",
    "simulate_trials",
]
