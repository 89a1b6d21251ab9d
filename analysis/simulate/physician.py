"""The simulated physician's answers: the fixed parts of the model as pure functions of the
condition cell, one vectorised draw of the answers to many trials, and the per-trial API on top.

Rule: the one generative model. simulate_trials and SimulatedPhysician both call answers_draw; no
other code decides what a simulated physician answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit

from .effects import GaubeEffects, RandomIntercepts, participant_effects_draw

__all__ = [
    "SimulatedAnswer",
    "SimulatedPhysician",
    "answers_draw",
    "confidence_mean",
    "follow_probability",
    "rating_mean",
]


# --- the model: fixed parts (pure functions of the condition cell) -------------------------------


def _by_stratum(radiology: np.ndarray, effects: GaubeEffects, name: str) -> np.ndarray:
    return np.where(
        radiology, getattr(effects, f"{name}_radiology"), getattr(effects, f"{name}_non_radiology")
    )


def follow_probability(
    effects: GaubeEffects,
    *,
    radiology: ArrayLike,
    human: ArrayLike,
    accurate: ArrayLike,
    participant: ArrayLike = 0.0,
    case: ArrayLike = 0.0,
) -> np.ndarray:
    """P(the final diagnosis is the advised one), given the cell and the follow intercepts."""
    radiology, human, accurate = (np.asarray(v, dtype=bool) for v in (radiology, human, accurate))
    base = np.where(
        accurate,
        _by_stratum(radiology, effects, "follow_accurate_log_odds"),
        _by_stratum(radiology, effects, "follow_inaccurate_log_odds"),
    )
    label = human * _by_stratum(radiology, effects, "human_label_log_odds")
    return expit(base + label + np.asarray(participant, float) + np.asarray(case, float))


def rating_mean(
    effects: GaubeEffects, *, radiology: ArrayLike, human: ArrayLike, accurate: ArrayLike
) -> np.ndarray:
    """The latent advice rating of a typical participant and case (before noise and rounding)."""
    radiology, human, accurate = (np.asarray(v, dtype=bool) for v in (radiology, human, accurate))
    return (
        effects.rating_mean
        + (~accurate) * effects.rating_inaccurate_shift
        + radiology * effects.rating_radiology_shift
        + human * _by_stratum(radiology, effects, "rating_human_label")
    )


def confidence_mean(
    effects: GaubeEffects, *, radiology: ArrayLike, human: ArrayLike, accurate: ArrayLike
) -> np.ndarray:
    """The latent confidence of a typical participant and case (before noise and rounding)."""
    radiology, human, accurate = (np.asarray(v, dtype=bool) for v in (radiology, human, accurate))
    return (
        effects.confidence_mean
        + (~accurate) * effects.confidence_inaccurate_shift
        + radiology * effects.confidence_radiology_shift
        + human * _by_stratum(radiology, effects, "confidence_human_label")
    )


# --- the model: one draw of the answers to a batch of trials -------------------------------------


def answers_draw(
    effects: GaubeEffects,
    *,
    rng: np.random.Generator,
    radiology: ArrayLike,
    human: ArrayLike,
    accurate: ArrayLike,
    participant: RandomIntercepts,
    case: RandomIntercepts,
    advised_diagnosis: ArrayLike,
    reference_diagnosis: ArrayLike,
    diagnoses: Sequence[str],
    rating_max: int = 7,
    confidence_max: int = 7,
) -> dict[str, np.ndarray]:
    """The answers to n trials (arrays of length n; ``participant``/``case`` hold each trial's
    intercepts): decision, final_diagnosis, advice_rating, confidence.

    A physician follows the advice with ``follow_probability`` (accept, or "modify" with
    ``modify_share``, keeping the advised diagnosis). One who rejects inaccurate advice ends on the
    reference diagnosis with ``recover_share``; otherwise (and always when rejecting accurate
    advice) on a diagnosis drawn uniformly from ``diagnoses`` other than the advised and the
    reference one (on the reference when there is none). Ratings and confidence are the latent
    means plus intercepts plus Gaussian noise, rounded and clipped to 1..max.
    Draws, in this order, n uniforms each for following, modify, recovery and the other diagnosis,
    then n normals each for the rating and the confidence noise.
    """
    radiology, human, accurate = (np.asarray(v, dtype=bool) for v in (radiology, human, accurate))
    advised = np.asarray(advised_diagnosis, dtype=object)
    reference = np.asarray(reference_diagnosis, dtype=object)
    n = len(accurate)
    probability = follow_probability(
        effects,
        radiology=radiology,
        human=human,
        accurate=accurate,
        participant=participant.follow,
        case=case.follow,
    )
    followed = rng.random(n) < probability
    modify = rng.random(n) < effects.modify_share
    recovers = rng.random(n) < effects.recover_share
    other = _other_diagnosis(rng.random(n), advised, reference, diagnoses)
    final = np.where(followed, advised, np.where(~accurate & recovers, reference, other))
    rating = (
        rating_mean(effects, radiology=radiology, human=human, accurate=accurate)
        + participant.rating
        + case.rating
        + rng.normal(0.0, effects.rating_residual_sd, n)
    )
    confidence = (
        confidence_mean(effects, radiology=radiology, human=human, accurate=accurate)
        + participant.confidence
        + case.confidence
        + rng.normal(0.0, effects.confidence_residual_sd, n)
    )
    return {
        "decision": np.where(followed, np.where(modify, "modify", "accept"), "reject").astype(
            object
        ),
        "final_diagnosis": final.astype(object),
        "advice_rating": np.clip(np.rint(rating), 1, rating_max).astype(np.int64),
        "confidence": np.clip(np.rint(confidence), 1, confidence_max).astype(np.int64),
    }


def _other_diagnosis(
    uniform: np.ndarray, advised: np.ndarray, reference: np.ndarray, diagnoses: Sequence[str]
) -> np.ndarray:
    codes = np.asarray(list(diagnoses), dtype=object)
    allowed = (codes[None, :] != advised[:, None]) & (codes[None, :] != reference[:, None])
    count = allowed.sum(axis=1)
    pick = np.floor(uniform * count).astype(np.int64)  # the pick-th allowed code, 0-based
    index = np.argmax(allowed & (np.cumsum(allowed, axis=1) == pick[:, None] + 1), axis=1)
    chosen = codes[index] if len(codes) else np.full(len(uniform), None, dtype=object)
    return np.where(count > 0, chosen, reference)


# --- the per-trial API (the study app's simulated participants) ----------------------------------


@dataclass(frozen=True)
class SimulatedAnswer:
    advice_rating: int
    decision: str
    final_diagnosis: str
    confidence: int


class SimulatedPhysician:
    """One simulated participant answering one trial at a time, from ``answers_draw``."""

    def __init__(self, *, stratum: str, effects: GaubeEffects, rng: np.random.Generator):
        self.radiology = stratum == "radiology"
        self.effects = effects
        self.rng = rng
        self.intercepts = participant_effects_draw(effects=effects, rng=rng)

    def follow_probability(
        self, *, case: RandomIntercepts, advice_source: str, advice_correct: bool
    ) -> float:
        """This physician's probability of following the advice of one trial."""
        return float(
            follow_probability(
                self.effects,
                radiology=self.radiology,
                human=advice_source == "human",
                accurate=advice_correct,
                participant=self.intercepts.follow,
                case=case.follow,
            )
        )

    def answer(
        self,
        *,
        case: RandomIntercepts,
        advice_source: str,
        advice_correct: bool,
        advised_diagnosis: str,
        reference_diagnosis: str,
        diagnoses: Sequence[str],
        rating_max: int = 7,
        confidence_max: int = 7,
    ) -> SimulatedAnswer:
        drawn = answers_draw(
            self.effects,
            rng=self.rng,
            radiology=[self.radiology],
            human=[advice_source == "human"],
            accurate=[advice_correct],
            participant=self.intercepts,
            case=case,
            advised_diagnosis=[advised_diagnosis],
            reference_diagnosis=[reference_diagnosis],
            diagnoses=diagnoses,
            rating_max=rating_max,
            confidence_max=confidence_max,
        )
        return SimulatedAnswer(
            advice_rating=int(drawn["advice_rating"][0]),
            decision=str(drawn["decision"][0]),
            final_diagnosis=str(drawn["final_diagnosis"][0]),
            confidence=int(drawn["confidence"][0]),
        )
