"""Simulated physicians for `manage.py simulate`, answering one trial at a time.

They draw from the generative model of `analysis.simulate` (`GaubeEffects`, calibrated to Gaube
et al. 2021), so the app's simulated studies and the power analysis share one parametrisation.
Pure: no Django; randomness only from the `rng` argument."""

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from analysis.simulate import GaubeEffects


@dataclass(frozen=True)
class CaseEffects:
    """A case's random intercepts, drawn once and shared by every participant who reads it."""

    follow: float
    rating: float
    confidence: float


def case_effects_draw(*, effects: GaubeEffects, rng: np.random.Generator) -> CaseEffects:
    return CaseEffects(
        follow=rng.normal(0.0, effects.case_sd),
        rating=rng.normal(0.0, effects.rating_case_sd),
        confidence=rng.normal(0.0, effects.confidence_case_sd),
    )


@dataclass(frozen=True)
class SimulatedAnswer:
    advice_rating: int
    decision: str
    final_diagnosis: str
    confidence: int


class SimulatedPhysician:
    def __init__(self, *, stratum: str, effects: GaubeEffects, rng: np.random.Generator):
        # Any stratum other than radiology takes the IM/EM parameters.
        self.radiology = stratum == "radiology"
        self.effects = effects
        self.rng = rng
        self.follow = rng.normal(0.0, effects.participant_sd)
        self.rating = rng.normal(0.0, effects.rating_participant_sd)
        self.confidence = rng.normal(0.0, effects.confidence_participant_sd)

    def _by_stratum(self, name: str) -> float:
        suffix = "radiology" if self.radiology else "non_radiology"
        return getattr(self.effects, f"{name}_{suffix}")

    def answer(
        self,
        *,
        case: CaseEffects,
        advice_source: str,
        advice_correct: bool,
        advised_diagnosis: str,
        reference_diagnosis: str,
        diagnoses: list[str],
        scale_max: int = 7,
    ) -> SimulatedAnswer:
        effects, rng = self.effects, self.rng
        human = advice_source == "human"
        variant = "follow_accurate_log_odds" if advice_correct else "follow_inaccurate_log_odds"
        log_odds = self._by_stratum(variant) + self.follow + case.follow
        log_odds += human * self._by_stratum("human_label_log_odds")
        if rng.random() < expit(log_odds):
            decision = "modify" if rng.random() < effects.modify_share else "accept"
            final = advised_diagnosis
        else:
            decision = "reject"
            if not advice_correct and rng.random() < effects.recover_share:
                final = reference_diagnosis
            else:
                others = [d for d in diagnoses if d not in (advised_diagnosis, reference_diagnosis)]
                final = str(rng.choice(others))
        rating = (
            effects.rating_mean
            + (not advice_correct) * effects.rating_inaccurate_shift
            + self.radiology * effects.rating_radiology_shift
            + human * self._by_stratum("rating_human_label")
            + self.rating
            + case.rating
            + rng.normal(0.0, effects.rating_residual_sd)
        )
        confidence = (
            effects.confidence_mean
            + (not advice_correct) * effects.confidence_inaccurate_shift
            + self.radiology * effects.confidence_radiology_shift
            + human * self._by_stratum("confidence_human_label")
            + self.confidence
            + case.confidence
            + rng.normal(0.0, effects.confidence_residual_sd)
        )
        return SimulatedAnswer(
            advice_rating=int(np.clip(np.rint(rating), 1, scale_max)),
            decision=decision,
            final_diagnosis=final,
            confidence=int(np.clip(np.rint(confidence), 1, scale_max)),
        )
