"""Whole simulated studies: the built-in Gaube 2021 design, or a design as allocated, answered by
the simulated physicians of physician.py, as a DATA.md trials table.

Rule: randomness only from the ``rng`` argument; the scored columns come from
analysis.data.trial_scores, never from formulas of their own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.data import TRIALS_COLUMNS, trial_scores

from .effects import GaubeEffects, RandomIntercepts, case_sds, intercepts_draw, participant_sds
from .physician import answers_draw

__all__ = ["ARMS", "DIAGNOSES", "PLAN_COLUMNS", "STRATA", "gaube_design", "simulate_trials"]

STRATA = ("radiology", "non_radiology")
ARMS = ("ai", "human")
# The columns a design as allocated must give simulate_trials (specialty, training_level and
# years_experience are optional).
PLAN_COLUMNS = (
    "participant",
    "stratum",
    "arm",
    "advice_source",
    "case",
    "position",
    "advice_correct",
)

# Chest X-ray diagnosis codes for the simulated cases (Gaube 2021 used 8 chest X-ray cases).
DIAGNOSES = (
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


# --- whole studies ---------------------------------------------------------------------------


def gaube_design(
    *, n_radiology: int, n_non_radiology: int, cases: int, inaccurate: int, rng: np.random.Generator
) -> pd.DataFrame:
    """The built-in design as allocated (PLAN_COLUMNS), the Gaube 2021 layout assumed for power.

    Participants enrol in random order (the strata interleaved); within each stratum the label arm
    ("ai"/"human") is allocated in permuted blocks of 2; each participant sees ``cases`` cases in
    random order, ``inaccurate`` of them with inaccurate advice, the inaccurate cases rotating
    cyclically over the participants of a stratum x arm so every case is inaccurate equally often.
    """
    if n_radiology < 0 or n_non_radiology < 0:
        raise ValueError("participant counts must be >= 0")
    if n_radiology + n_non_radiology == 0:
        raise ValueError("at least one participant is needed")
    if cases < 1:
        raise ValueError(f"cases must be >= 1, got {cases}")
    if not 0 <= inaccurate <= cases:
        raise ValueError(f"inaccurate must be between 0 and cases ({cases}), got {inaccurate}")
    n = n_radiology + n_non_radiology
    stratum_of = rng.permutation(np.repeat([0, 1], [n_radiology, n_non_radiology]))
    arm_of = np.empty(n, dtype=int)
    inaccurate_sets = np.zeros((n, cases), dtype=bool)
    for s in (0, 1):
        members = np.flatnonzero(stratum_of == s)
        blocks = [rng.permutation(2) for _ in range((len(members) + 1) // 2)]
        arm_of[members] = np.concatenate(blocks)[: len(members)] if blocks else []
        for a in (0, 1):
            for k, p in enumerate(members[arm_of[members] == a]):
                inaccurate_sets[p, (k * inaccurate + np.arange(inaccurate)) % cases] = True
    order = np.stack([rng.permutation(cases) for _ in range(n)])  # case index at each position
    p_idx = np.repeat(np.arange(n), cases)
    case_idx = order.ravel()
    arms = np.array(ARMS, dtype=object)[arm_of[p_idx]]
    return pd.DataFrame(
        {
            "participant": np.array([f"p{i + 1:04d}" for i in range(n)], dtype=object)[p_idx],
            "stratum": np.array(STRATA, dtype=object)[stratum_of[p_idx]],
            "arm": arms,
            "advice_source": arms.copy(),
            "case": np.array([f"C{c + 1:02d}" for c in range(cases)], dtype=object)[case_idx],
            "position": np.tile(np.arange(1, cases + 1), n).astype(np.int64),
            "advice_correct": ~inaccurate_sets[p_idx, case_idx],
        }
    )


def simulate_trials(
    *,
    n_radiology: int = 138,
    n_non_radiology: int = 127,
    cases: int = 8,
    inaccurate: int = 2,
    effects: GaubeEffects | None = None,
    rng: np.random.Generator,
    study: str = "gaube2021-sim",
    plan: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A trials table (DATA.md columns and types, as load_trials returns them) for one study.

    ``plan`` is the design as allocated, one row per trial (PLAN_COLUMNS, optionally specialty,
    training_level, years_experience), e.g. from the study app's allocation engine; then the
    counts ``n_radiology`` .. ``inaccurate`` are ignored. Without it the built-in design of
    ``gaube_design`` is used: the Gaube 2021 layout assumed for power analysis (``analysis`` may
    not import the study app's allocation engine). Case k (sorted codes, 0-based) has reference
    diagnosis DIAGNOSES[k % 8] and inaccurate advice DIAGNOSES[(k + 3) % 8]. Answers come from
    ``answers_draw``; the scored columns from ``analysis.data.trial_scores``.
    """
    effects = effects or GaubeEffects()
    if plan is None:
        plan = gaube_design(
            n_radiology=n_radiology,
            n_non_radiology=n_non_radiology,
            cases=cases,
            inaccurate=inaccurate,
            rng=rng,
        )
    plan = _checked_plan(plan)
    p_idx, participants = pd.factorize(plan["participant"], sort=False)
    case_idx, case_codes = pd.factorize(plan["case"], sort=True)
    n, rows = len(participants), len(plan)
    first = ~pd.Series(p_idx).duplicated().to_numpy()
    radiology_of = np.zeros(n, dtype=bool)
    radiology_of[p_idx[first]] = plan["stratum"].to_numpy()[first] == "radiology"
    people = _demographics(plan, p_idx, first, radiology_of, rng)

    accurate = plan["advice_correct"].to_numpy(dtype=bool)
    k = len(DIAGNOSES)
    reference = np.array([DIAGNOSES[c % k] for c in range(len(case_codes))], dtype=object)
    wrong = np.array([DIAGNOSES[(c + 3) % k] for c in range(len(case_codes))], dtype=object)
    advised = np.where(accurate, reference[case_idx], wrong[case_idx])
    participant = intercepts_draw(rng, participant_sds(effects), n)
    case = intercepts_draw(rng, case_sds(effects), len(case_codes))
    answers = answers_draw(
        effects,
        rng=rng,
        radiology=radiology_of[p_idx],
        human=plan["advice_source"].to_numpy() == "human",
        accurate=accurate,
        participant=RandomIntercepts(*(getattr(participant, f)[p_idx] for f in _FIELDS)),
        case=RandomIntercepts(*(getattr(case, f)[case_idx] for f in _FIELDS)),
        advised_diagnosis=advised,
        reference_diagnosis=reference[case_idx],
        diagnoses=DIAGNOSES,
    )
    response_ms = np.round(
        effects.response_median_ms * np.exp(rng.normal(0.0, effects.response_log_sd, rows))
    ).astype(np.int64)
    # Participants start within a 30-day window; cases follow each other with a 20 s pause.
    start_ms = rng.integers(0, 30 * 24 * 3600 * 1000, n)
    step = pd.Series(response_ms + 20_000)
    offset = (step.groupby(p_idx).cumsum() - step).to_numpy()
    shown_at = _START + pd.to_timedelta(start_ms[p_idx] + offset, unit="ms")
    scores = trial_scores(
        advice_correct=accurate,
        decision=answers["decision"],
        final_diagnosis=answers["final_diagnosis"],
        advised_diagnosis=advised,
        reference_diagnosis=reference[case_idx],
    )
    table = pd.DataFrame(
        {
            "study": np.full(rows, study, dtype=object),
            "participant": plan["participant"].to_numpy(dtype=object),
            "stratum": plan["stratum"].to_numpy(dtype=object),
            **{name: values[p_idx] for name, values in people.items()},
            "arm": plan["arm"].to_numpy(dtype=object),
            "advice_source": plan["advice_source"].to_numpy(dtype=object),
            "case": plan["case"].to_numpy(dtype=object),
            "position": plan["position"].to_numpy(dtype=np.int64),
            "is_training": np.zeros(rows, dtype=bool),
            "advice_correct": accurate,
            "annotation_shown": np.zeros(rows, dtype=bool),
            "displayed_confidence": np.full(rows, np.nan),
            "advised_diagnosis": advised,
            "reference_diagnosis": reference[case_idx],
            "unaided_diagnosis": np.full(rows, None, dtype=object),
            "unaided_confidence": pd.array([pd.NA] * rows, dtype="Int64"),
            **answers,
            **scores,
            "response_ms": response_ms,
            "shown_at": shown_at,
            "answered_at": shown_at + pd.to_timedelta(response_ms, unit="ms"),
        }
    )
    return table[list(TRIALS_COLUMNS)]


_FIELDS = ("follow", "rating", "confidence")


def _checked_plan(plan: pd.DataFrame) -> pd.DataFrame:
    missing = [name for name in PLAN_COLUMNS if name not in plan.columns]
    if missing:
        raise ValueError(f"the plan lacks columns: {', '.join(missing)}")
    if len(plan) == 0:
        raise ValueError("the plan has no trials")
    if plan.duplicated(["participant", "case"]).any():
        raise ValueError("the plan gives a participant the same case twice")
    # Trials in order of enrolment, then of position: the timestamps follow this order.
    order = pd.factorize(plan["participant"], sort=False)[0]
    return (
        plan.assign(_order=order)
        .sort_values(["_order", "position"], kind="stable")
        .reset_index(drop=True)
    )


def _demographics(
    plan: pd.DataFrame,
    p_idx: np.ndarray,
    first: np.ndarray,
    radiology: np.ndarray,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Per participant: specialty, training_level, years_experience (from the plan if given)."""
    n = len(radiology)
    specialty = np.where(
        radiology,
        "radiology",
        np.where(rng.random(n) < 0.5, "internal_medicine", "emergency_medicine"),
    ).astype(object)
    level_draw = rng.random(n)
    level = np.where(
        level_draw < 0.5, "attending", np.where(level_draw < 0.65, "fellow", "resident")
    ).astype(object)
    years = np.where(
        level == "attending",
        rng.integers(8, 31, n),
        np.where(level == "fellow", rng.integers(4, 9, n), rng.integers(1, 6, n)),
    ).astype(np.int64)
    people = {"specialty": specialty, "training_level": level, "years_experience": years}
    for name, values in people.items():
        if name in plan.columns:
            values[p_idx[first]] = plan[name].to_numpy()[first]
    return people
