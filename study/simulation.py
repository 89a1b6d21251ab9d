"""Simulated physicians for `manage.py simulate` (pure: no Django; randomness from an argument).

Defaults reproduce Gaube et al. (2021): among participants with two inaccurate cases, 27.54 %
of radiologists and 41.73 % of IM/EM physicians followed both inaccurate pieces of advice and
28.26 % / 17.32 % followed neither. A participant's propensity p to follow inaccurate advice is
Beta distributed; with two inaccurate cases P(all) = E[p^2] and P(none) = E[(1-p)^2], which fixes
the Beta's mean and concentration exactly (see `beta_from_shares`).
"""

from dataclasses import dataclass, field

import numpy as np


def beta_from_shares(share_all: float, share_none: float) -> tuple[float, float]:
    """Beta(a, b) whose draws give P(follow both) = share_all and P(follow neither) = share_none."""
    mean = (1 + share_all - share_none) / 2
    variance = share_all - mean**2
    if not 0 < variance < mean * (1 - mean):
        raise ValueError("shares imply no Beta distribution")
    concentration = mean * (1 - mean) / variance - 1
    return mean * concentration, (1 - mean) * concentration


@dataclass(frozen=True)
class PhysicianModel:
    share_all: dict = field(default_factory=lambda: {"radiology": 0.2754, "non_radiology": 0.4173})
    share_none: dict = field(default_factory=lambda: {"radiology": 0.2826, "non_radiology": 0.1732})
    follow_accurate: dict = field(
        default_factory=lambda: {"radiology": 0.93, "non_radiology": 0.91}
    )
    # Mean advice-quality rating (1-7) of accurate advice by stratum and source; radiologists
    # rate AI-labelled advice lower, IM/EM physicians do not (Gaube 2021).
    rating_mean: dict = field(
        default_factory=lambda: {
            ("radiology", "ai"): 4.6,
            ("radiology", "human"): 5.2,
            ("non_radiology", "ai"): 5.3,
            ("non_radiology", "human"): 5.3,
        }
    )
    rating_inaccurate_shift: float = -1.6
    rating_participant_sd: float = 0.7
    rating_residual_sd: float = 1.0
    confidence_mean: dict = field(default_factory=lambda: {"radiology": 5.4, "non_radiology": 4.9})
    confidence_inaccurate_shift: float = -0.5
    share_modify: float = 0.15
    reject_to_reference: float = 0.85


@dataclass(frozen=True)
class SimulatedAnswer:
    advice_rating: int
    decision: str
    final_diagnosis: str
    confidence: int


class SimulatedPhysician:
    def __init__(self, *, stratum: str, model: PhysicianModel, rng: np.random.Generator):
        self.stratum = stratum
        self.model = model
        self.rng = rng
        a, b = beta_from_shares(model.share_all[stratum], model.share_none[stratum])
        self.follow_inaccurate = rng.beta(a, b)
        self.rating_offset = rng.normal(0, model.rating_participant_sd)

    def answer(
        self,
        *,
        advice_source: str,
        advice_correct: bool,
        advised_diagnosis: str,
        reference_diagnosis: str,
        diagnoses: list[str],
        scale_max: int = 7,
    ) -> SimulatedAnswer:
        model, rng = self.model, self.rng
        follow_p = model.follow_accurate[self.stratum] if advice_correct else self.follow_inaccurate
        follows = rng.random() < follow_p
        if follows:
            decision = "modify" if rng.random() < model.share_modify else "accept"
            final = advised_diagnosis
        else:
            decision = "reject"
            others = [d for d in diagnoses if d != advised_diagnosis]
            if not advice_correct and rng.random() < model.reject_to_reference:
                final = reference_diagnosis
            else:
                final = str(rng.choice([d for d in others if d != reference_diagnosis] or others))
        rating = model.rating_mean[(self.stratum, advice_source)] + self.rating_offset
        rating += 0 if advice_correct else model.rating_inaccurate_shift
        rating += rng.normal(0, model.rating_residual_sd)
        confidence = model.confidence_mean[self.stratum] + rng.normal(0, 1.0)
        confidence += 0 if advice_correct else model.confidence_inaccurate_shift
        return SimulatedAnswer(
            advice_rating=int(np.clip(np.rint(rating), 1, scale_max)),
            decision=decision,
            final_diagnosis=final,
            confidence=int(np.clip(np.rint(confidence), 1, scale_max)),
        )
