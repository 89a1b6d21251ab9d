"""Power by simulation: simulate studies from assumed effects, fit the model, count rejections.

Rule: reproducible from a seed. Each sample size gets its own child stream of the seed
(SeedSequence.spawn), so the estimate at n = 100 does not change when other sizes are added, and
each simulated study a child of that: the studies run in parallel (joblib processes, ``jobs``)
with the same result as one after another.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TextIO

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from analysis.describe import wilson_interval
from analysis.fits import StudyFit, fit_model, study_contrasts
from analysis.mixed import ModelError
from analysis.simulate import GaubeEffects, simulate_trials

__all__ = ["TARGETS", "PowerTarget", "power_curve"]


@dataclass(frozen=True)
class PowerTarget:
    """A hypothesis the power analysis tests: which model, and which row of study_contrasts."""

    model: str
    stratum: str  # the study_contrasts "stratum" value of the tested row
    advice: str  # the study_contrasts "advice" value of the tested row
    description: str


TARGETS: dict[str, PowerTarget] = {
    "rating_source_x_stratum": PowerTarget(
        "rating",
        "radiology minus non_radiology",
        "averaged",
        "difference between strata of the human-vs-AI label effect on advice rating (LMM)",
    ),
    "rating_label_radiology": PowerTarget(
        "rating",
        "radiology",
        "averaged",
        "human-vs-AI label effect on advice rating among radiologists (LMM)",
    ),
    "accuracy_source_x_stratum": PowerTarget(
        "accuracy",
        "radiology minus non_radiology",
        "averaged",
        "difference between strata of the human-vs-AI label effect on correct decisions (GLMM)",
    ),
    "accuracy_label_inaccurate_radiology": PowerTarget(
        "accuracy",
        "radiology",
        "inaccurate",
        "human-vs-AI label effect on correct decisions with inaccurate advice, radiologists (GLMM)",
    ),
}

_COLUMNS = [
    "target",
    "n",
    "n_sims",
    "n_converged",
    "n_significant",
    "power",
    "mc_ci_low",
    "mc_ci_high",
]


def power_curve(
    *,
    participants_per_stratum: Sequence[int],
    n_sims: int,
    effects: GaubeEffects | None = None,
    alpha: float = 0.05,
    target: str = "rating_source_x_stratum",
    seed: int | None = None,
    rng: np.random.Generator | None = None,
    cases: int = 8,
    inaccurate: int = 2,
    progress: bool = False,
    stream: TextIO | None = None,
    on_simulation: Callable[[int, int], None] | None = None,
    jobs: int = 1,
) -> pd.DataFrame:
    """Power against participants per stratum (both strata get n; arms split n in blocks of 2).

    For each n, ``n_sims`` studies are simulated with ``simulate_trials`` and ``effects``, the
    target's model is fitted and the target contrast tested (Wald, two-sided, at ``alpha``).
    Give exactly one of ``seed`` and ``rng``. Fits that raise ModelError or do not converge are
    not counted: power = n_significant / n_converged.
    Columns: target, n, n_sims, n_converged, n_significant, power, mc_ci_low, mc_ci_high (Wilson
    95% interval of the Monte Carlo estimate). ``on_simulation(done, total)`` is called after
    each simulated study (a job's progress). ``jobs`` > 1 simulates that many studies at once in
    worker processes (joblib; -1: one per core); the table is the same for any ``jobs``.
    """
    if target not in TARGETS:
        raise ValueError(f"unknown power target {target!r} (choose from {', '.join(TARGETS)})")
    if (seed is None) == (rng is None):
        raise ValueError("give exactly one of seed and rng")
    if n_sims < 1:
        raise ValueError(f"n_sims must be >= 1, got {n_sims}")
    sizes = [int(n) for n in participants_per_stratum]
    if not sizes or min(sizes) < 2:
        raise ValueError("participants_per_stratum needs sizes >= 2 (one per arm at least)")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    if jobs == 0 or jobs < -1:
        raise ValueError(f"jobs must be >= 1 (or -1 for one per core), got {jobs}")
    effects = effects or GaubeEffects()
    spec = TARGETS[target]
    streams = (
        [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(sizes))]
        if rng is None
        else rng.spawn(len(sizes))
    )
    tick = _progress_bar(len(sizes) * n_sims, stream or sys.stderr) if progress else None

    rows = []
    done, total = 0, len(sizes) * n_sims
    simulate = partial(_simulated_p, cases=cases, inaccurate=inaccurate, effects=effects, spec=spec)
    with Parallel(n_jobs=jobs, return_as="generator") as parallel:
        for n, stream_rng in zip(sizes, streams, strict=True):
            converged = significant = 0
            studies = (delayed(simulate)(n, child) for child in stream_rng.spawn(n_sims))
            for p_value in parallel(studies):
                if p_value is not None:
                    converged += 1
                    significant += int(p_value < alpha)
                if tick is not None:
                    tick(f"n={n}")
                done += 1
                if on_simulation is not None:
                    on_simulation(done, total)
            low, high = wilson_interval(k=significant, n=converged)
            rows.append(
                {
                    "target": target,
                    "n": n,
                    "n_sims": n_sims,
                    "n_converged": converged,
                    "n_significant": significant,
                    "power": significant / converged if converged else np.nan,
                    "mc_ci_low": float(low),
                    "mc_ci_high": float(high),
                }
            )
    if tick is not None:
        tick(None)
    return pd.DataFrame(rows, columns=_COLUMNS)


def _simulated_p(
    n: int,
    rng: np.random.Generator,
    *,
    cases: int,
    inaccurate: int,
    effects: GaubeEffects,
    spec: PowerTarget,
) -> float | None:
    """The target's p-value in one simulated study with n participants per stratum."""
    trials = simulate_trials(
        n_radiology=n,
        n_non_radiology=n,
        cases=cases,
        inaccurate=inaccurate,
        effects=effects,
        rng=rng,
    )
    return _target_p(trials, spec)


def _target_p(trials: pd.DataFrame, spec: PowerTarget) -> float | None:
    try:
        fit: StudyFit = fit_model(trials, model=spec.model)
    except (ModelError, np.linalg.LinAlgError):
        return None
    if not fit.result.converged:
        return None
    contrasts = study_contrasts(fit)
    row = contrasts[(contrasts["stratum"] == spec.stratum) & (contrasts["advice"] == spec.advice)]
    if len(row) != 1 or not np.isfinite(row["p"].iat[0]):
        return None
    return float(row["p"].iat[0])


def _progress_bar(total: int, stream: TextIO, width: int = 30) -> Callable[[str | None], None]:
    """A one-line text bar redrawn with carriage returns; tick(None) ends the line."""
    done = 0

    def tick(label: str | None) -> None:
        nonlocal done
        if label is None:
            stream.write("\n")
            stream.flush()
            return
        done += 1
        filled = width * done // total
        bar = "#" * filled + "." * (width - filled)
        stream.write(f"\rpower [{bar}] {done}/{total} {label}  ")
        stream.flush()

    return tick
