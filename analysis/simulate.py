"""Simulate trials tables (DATA.md shape) from a generative model calibrated to Gaube et al. 2021.

Rule: pure and seeded. Randomness comes only from the ``rng`` argument, so the same Generator
state always gives the same table; the study app's ``simulate`` command and the power analysis
share this one parametrisation (``GaubeEffects``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from analysis.data import TRIALS_COLUMNS

__all__ = ["STRATA", "GaubeEffects", "simulate_trials"]

STRATA = ("radiology", "non_radiology")
ARMS = ("ai", "human")

# Chest X-ray diagnosis codes for the simulated cases (Gaube 2021 used 8 chest X-ray cases).
_DIAGNOSES = (
    "pneumothorax",
    "pneumonia",
    "pleural_effusion",
    "pulmonary_edema",
    "lung_mass",
    "rib_fracture",
    "atelectasis",
    "cardiomegaly",
)
_START = pd.Timestamp("2020-06-01T08:00:00Z")


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


def simulate_trials(
    *,
    n_radiology: int = 138,
    n_non_radiology: int = 127,
    cases: int = 8,
    inaccurate: int = 2,
    effects: GaubeEffects | None = None,
    rng: np.random.Generator,
    study: str = "gaube2021-sim",
) -> pd.DataFrame:
    """A trials table (DATA.md columns and types, as load_trials returns them) for one study.

    Design as Gaube 2021: participants enrol in random order; within each stratum the label arm
    ("ai"/"human") is allocated in permuted blocks of 2; each participant sees ``cases`` cases in
    random order, ``inaccurate`` of them with inaccurate advice, the inaccurate cases rotating
    cyclically over participants of a stratum x arm so that every case is inaccurate equally often.
    """
    effects = effects or GaubeEffects()
    if n_radiology < 0 or n_non_radiology < 0:
        raise ValueError("participant counts must be >= 0")
    if n_radiology + n_non_radiology == 0:
        raise ValueError("at least one participant is needed")
    if cases < 1:
        raise ValueError(f"cases must be >= 1, got {cases}")
    if not 0 <= inaccurate <= cases:
        raise ValueError(f"inaccurate must be between 0 and cases ({cases}), got {inaccurate}")

    n = n_radiology + n_non_radiology
    # Enrolment order interleaves the strata, as real recruitment does.
    stratum_of = rng.permutation(np.repeat([0, 1], [n_radiology, n_non_radiology]))
    arm_of = np.empty(n, dtype=int)
    inaccurate_sets = np.zeros((n, cases), dtype=bool)
    for s in (0, 1):
        members = np.flatnonzero(stratum_of == s)
        blocks = [rng.permutation(2) for _ in range((len(members) + 1) // 2)]
        arm_of[members] = np.concatenate(blocks)[: len(members)] if blocks else []
        for a in (0, 1):
            cell = members[arm_of[members] == a]
            for k, p in enumerate(cell):
                inaccurate_sets[p, (k * inaccurate + np.arange(inaccurate)) % cases] = True

    participant_ids = np.array([f"p{i + 1:04d}" for i in range(n)], dtype=object)
    radiology = stratum_of == 0
    specialty = np.where(
        radiology,
        "radiology",
        np.where(rng.random(n) < 0.5, "internal_medicine", "emergency_medicine"),
    )
    level_draw = rng.random(n)
    training_level = np.where(
        level_draw < 0.5, "attending", np.where(level_draw < 0.65, "fellow", "resident")
    )
    years = np.where(
        training_level == "attending",
        rng.integers(8, 31, n),
        np.where(training_level == "fellow", rng.integers(4, 9, n), rng.integers(1, 6, n)),
    )

    # One row per participant x position.
    order = np.stack([rng.permutation(cases) for _ in range(n)])  # case index at each position
    p_idx = np.repeat(np.arange(n), cases)
    case_idx = order.ravel()
    position = np.tile(np.arange(1, cases + 1), n)
    accurate = ~inaccurate_sets[p_idx, case_idx]
    rad = radiology[p_idx]
    human = arm_of[p_idx] == 1

    # Following the advice.
    u = rng.normal(0.0, effects.participant_sd, n)[p_idx]
    v = rng.normal(0.0, effects.case_sd, cases)[case_idx]
    base = np.where(
        accurate,
        np.where(
            rad,
            effects.follow_accurate_log_odds_radiology,
            effects.follow_accurate_log_odds_non_radiology,
        ),
        np.where(
            rad,
            effects.follow_inaccurate_log_odds_radiology,
            effects.follow_inaccurate_log_odds_non_radiology,
        ),
    )
    label = np.where(
        rad, effects.human_label_log_odds_radiology, effects.human_label_log_odds_non_radiology
    )
    followed = rng.random(len(p_idx)) < expit(base + human * label + u + v)
    modify = rng.random(len(p_idx)) < effects.modify_share
    decision = np.where(followed, np.where(modify, "modify", "accept"), "reject")

    k = len(_DIAGNOSES)
    reference = np.array([_DIAGNOSES[c % k] for c in range(cases)], dtype=object)[case_idx]
    wrong_advice = np.array([_DIAGNOSES[(c + 3) % k] for c in range(cases)], dtype=object)
    other = np.array([_DIAGNOSES[(c + 5) % k] for c in range(cases)], dtype=object)[case_idx]
    advised = np.where(accurate, reference, wrong_advice[case_idx])
    recovers = rng.random(len(p_idx)) < effects.recover_share
    final = np.where(followed, advised, np.where(~accurate & recovers, reference, other))

    rating = _likert(
        rng,
        p_idx,
        case_idx,
        n,
        cases,
        mean=effects.rating_mean
        + (~accurate) * effects.rating_inaccurate_shift
        + rad * effects.rating_radiology_shift
        + human
        * np.where(
            rad,
            effects.rating_human_label_radiology,
            effects.rating_human_label_non_radiology,
        ),
        sds=(effects.rating_participant_sd, effects.rating_case_sd, effects.rating_residual_sd),
    )
    confidence = _likert(
        rng,
        p_idx,
        case_idx,
        n,
        cases,
        mean=effects.confidence_mean
        + (~accurate) * effects.confidence_inaccurate_shift
        + rad * effects.confidence_radiology_shift
        + human
        * np.where(
            rad,
            effects.confidence_human_label_radiology,
            effects.confidence_human_label_non_radiology,
        ),
        sds=(
            effects.confidence_participant_sd,
            effects.confidence_case_sd,
            effects.confidence_residual_sd,
        ),
    )

    response_ms = np.round(
        effects.response_median_ms * np.exp(rng.normal(0.0, effects.response_log_sd, len(p_idx)))
    ).astype(np.int64)
    # Participants start within a 30-day window; cases follow each other with a 20 s pause.
    start_ms = rng.integers(0, 30 * 24 * 3600 * 1000, n)
    step = (response_ms + 20_000).reshape(n, cases)
    offset = np.concatenate([np.zeros((n, 1), dtype=np.int64), np.cumsum(step, axis=1)[:, :-1]], 1)
    shown_ms = start_ms[p_idx] + offset.ravel()
    shown_at = _START + pd.to_timedelta(shown_ms, unit="ms")
    answered_at = shown_at + pd.to_timedelta(response_ms, unit="ms")

    case_codes = np.array([f"C{c + 1:02d}" for c in range(cases)], dtype=object)
    strata = np.array(STRATA, dtype=object)
    arms = np.array(ARMS, dtype=object)
    rows = len(p_idx)
    table = pd.DataFrame(
        {
            "study": np.full(rows, study, dtype=object),
            "participant": participant_ids[p_idx],
            "stratum": strata[stratum_of[p_idx]],
            "specialty": specialty[p_idx].astype(object),
            "training_level": training_level[p_idx].astype(object),
            "years_experience": years[p_idx].astype(np.int64),
            "arm": arms[arm_of[p_idx]],
            "advice_source": arms[arm_of[p_idx]],
            "case": case_codes[case_idx],
            "position": position.astype(np.int64),
            "is_training": np.zeros(rows, dtype=bool),
            "advice_correct": accurate,
            "annotation_shown": np.zeros(rows, dtype=bool),
            "displayed_confidence": np.full(rows, np.nan),
            "advised_diagnosis": advised,
            "reference_diagnosis": reference,
            "unaided_diagnosis": np.full(rows, None, dtype=object),
            "unaided_confidence": pd.array([pd.NA] * rows, dtype="Int64"),
            "advice_rating": rating,
            "decision": decision.astype(object),
            "final_diagnosis": final,
            "confidence": confidence,
            "followed_advice": final == advised,
            "correct_decision": np.where(accurate, followed, ~followed),
            "correct_diagnosis": final == reference,
            "response_ms": response_ms,
            "shown_at": shown_at,
            "answered_at": answered_at,
        },
        columns=list(TRIALS_COLUMNS),
    )
    return table


def _likert(
    rng: np.random.Generator,
    p_idx: np.ndarray,
    case_idx: np.ndarray,
    n: int,
    cases: int,
    *,
    mean: np.ndarray,
    sds: tuple[float, float, float],
) -> np.ndarray:
    participant_sd, case_sd, residual_sd = sds
    latent = (
        mean
        + rng.normal(0.0, participant_sd, n)[p_idx]
        + rng.normal(0.0, case_sd, cases)[case_idx]
        + rng.normal(0.0, residual_sd, len(p_idx))
    )
    return np.clip(np.rint(latent), 1, 7).astype(np.int64)
