"""The parameters of the simulated physician (GaubeEffects) and the random intercepts of
participants and cases.

Rule: one parametrisation for every simulation; intercepts are drawn in one fixed order (follow,
rating, confidence), so one draw for one participant equals the first draw of a batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "GaubeEffects",
    "RandomIntercepts",
    "case_effects_draw",
    "case_sds",
    "intercepts_draw",
    "participant_effects_draw",
    "participant_sds",
]


@dataclass(frozen=True)
class GaubeEffects:
    """Parameters of the generative model. Log-odds and rating shifts are for a typical participant
    and case (random intercepts at 0), advice labelled AI, unless the name says otherwise.

    Following the advice (``followed_advice``), logit scale:
      P(follow) = expit(follow_<accurate|inaccurate>_log_odds_<stratum>
                        + human_label_log_odds_<stratum> * [label is human]
                        + u_participant + v_case)
    The defaults reproduce Gaube 2021's susceptibility shares: with participant_sd 0.82 and case_sd
    0.3 the expected share of participants who followed both of 2 inaccurate advices is 27.7 % of
    radiologists / 41.6 % of IM-EM physicians (published 27.54 % / 41.73 %) and who followed
    neither 28.5 % / 17.1 % (published 28.26 % / 17.32 %); accurate advice is followed (and so the
    decision is correct) about 90 % of the time. The paper found no effect of the label on accuracy,
    so the label log-odds default to 0: set them to the smallest effect of interest for power.

    Advice rating and confidence (1-7 scales): Gaussian on a latent scale, rounded and clipped,
      mean + <inaccurate shift> + <label shift for the stratum> + <stratum shift>
      + participant intercept + case intercept + residual.
    The paper reports that radiologists rated advice labelled AI lower and IM/EM physicians did
    not; it does not give the sizes on this scale, so the defaults (human minus AI = +0.4 among
    radiologists, 0 among IM/EM) are assumptions to be replaced by the study's own.
    Any stratum other than "radiology" takes the IM/EM (non_radiology) parameters.
    """

    # following the advice
    follow_accurate_log_odds_radiology: float = 2.4
    follow_accurate_log_odds_non_radiology: float = 2.4
    follow_inaccurate_log_odds_radiology: float = -0.02
    follow_inaccurate_log_odds_non_radiology: float = 0.58
    human_label_log_odds_radiology: float = 0.0
    human_label_log_odds_non_radiology: float = 0.0
    participant_sd: float = 0.82
    case_sd: float = 0.3
    modify_share: float = 0.15  # share of followed advice recorded as "modify" (same diagnosis)
    recover_share: float = 0.8  # share of rejected inaccurate advice ending on the reference
    # advice quality rating (latent Gaussian, then rounded to 1-7)
    rating_mean: float = 5.4  # accurate advice, AI label, IM/EM
    rating_inaccurate_shift: float = -1.3
    rating_radiology_shift: float = 0.0
    rating_human_label_radiology: float = 0.4  # human minus AI label, radiologists
    rating_human_label_non_radiology: float = 0.0  # human minus AI label, IM/EM
    rating_participant_sd: float = 0.7
    rating_case_sd: float = 0.3
    rating_residual_sd: float = 1.0
    # confidence in the final diagnosis (latent Gaussian, then rounded to 1-7)
    confidence_mean: float = 5.5
    confidence_inaccurate_shift: float = -0.6
    confidence_radiology_shift: float = 0.3
    confidence_human_label_radiology: float = 0.0
    confidence_human_label_non_radiology: float = 0.0
    confidence_participant_sd: float = 0.8
    confidence_case_sd: float = 0.3
    confidence_residual_sd: float = 0.9
    # response time: log-normal
    response_median_ms: float = 35_000.0
    response_log_sd: float = 0.6


@dataclass(frozen=True)
class RandomIntercepts:
    """A participant's or a case's random intercepts (floats for one, arrays for many), drawn
    once and shared by every trial of that participant or case."""

    follow: float | np.ndarray
    rating: float | np.ndarray
    confidence: float | np.ndarray


def intercepts_draw(
    rng: np.random.Generator, sds: tuple[float, float, float], count: int
) -> RandomIntercepts:
    """``count`` sets of intercepts: all follow intercepts, then all rating, then confidence."""
    follow_sd, rating_sd, confidence_sd = sds
    return RandomIntercepts(
        follow=rng.normal(0.0, follow_sd, count),
        rating=rng.normal(0.0, rating_sd, count),
        confidence=rng.normal(0.0, confidence_sd, count),
    )


def participant_sds(effects: GaubeEffects) -> tuple[float, float, float]:
    """SDs of the participant intercepts: (follow, rating, confidence)."""
    return (
        effects.participant_sd,
        effects.rating_participant_sd,
        effects.confidence_participant_sd,
    )


def case_sds(effects: GaubeEffects) -> tuple[float, float, float]:
    """SDs of the case intercepts: (follow, rating, confidence)."""
    return effects.case_sd, effects.rating_case_sd, effects.confidence_case_sd


def participant_effects_draw(
    *, effects: GaubeEffects, rng: np.random.Generator
) -> RandomIntercepts:
    """One participant's random intercepts (the same draws simulate_trials makes for each)."""
    drawn = intercepts_draw(rng, participant_sds(effects), 1)
    return RandomIntercepts(
        float(drawn.follow[0]), float(drawn.rating[0]), float(drawn.confidence[0])
    )


def case_effects_draw(*, effects: GaubeEffects, rng: np.random.Generator) -> RandomIntercepts:
    """One case's random intercepts (the same draws simulate_trials makes for each case)."""
    drawn = intercepts_draw(rng, case_sds(effects), 1)
    return RandomIntercepts(
        float(drawn.follow[0]), float(drawn.rating[0]), float(drawn.confidence[0])
    )
