"""The analysis of one study: everything the report shows, computed once, as a frozen StudyAnalysis.

Rule: fitting happens here and only here; analysis.report renders a StudyAnalysis and computes
nothing, so a report can be re-rendered (or checked) without refitting a model.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from types import MappingProxyType

import numpy as np
import pandas as pd
import scipy

import analysis
from analysis import describe, reveal
from analysis.data import load_trials, trials_sha256
from analysis.estimable import data_limits
from analysis.fits import MODELS, StudyFit, fit_model, study_contrasts
from analysis.mixed import ModelError

__all__ = ["DesignSummary", "StudyAnalysis", "fit_study"]


@dataclass(frozen=True)
class DesignSummary:
    """The design as the data show it. Pairs are (level, count), sorted by level."""

    studies: tuple[str, ...]
    participants: int
    participants_by_stratum: tuple[tuple[str, int], ...]
    arms: tuple[tuple[str, str], ...]  # (arm, the label(s) shown in it joined by "/")
    cases: int  # distinct cases
    trials: int  # test trials
    cases_per_participant: tuple[tuple[int, int], ...]  # (cases, participants with that many)
    inaccurate_per_participant: tuple[tuple[int, int], ...]


@dataclass(frozen=True, eq=False)
class StudyAnalysis:
    """The descriptive tables (describe.py's columns), the four study models (a StudyFit, or the
    message saying in plain words why the model could not be fitted), the label contrasts of
    each fitted model (study_contrasts' columns), warnings, what the data cannot show (one arm
    only, accurate advice only, one stratum), and the provenance of the data and the software.

    ``data_sha256_of`` says what was hashed: "input file" or "table's canonical DATA.md CSV form".
    ``fits`` is empty when ``models_fitted`` is False (a descriptive-only analysis).
    """

    design: DesignSummary
    flow: pd.DataFrame
    accuracy: pd.DataFrame
    susceptibility: pd.DataFrame
    susceptibility_by_label: pd.DataFrame
    ratings: pd.DataFrame
    confidence: pd.DataFrame
    response_times: pd.DataFrame
    models_fitted: bool
    fits: Mapping[str, StudyFit | str]
    contrasts: Mapping[str, pd.DataFrame]
    warnings: tuple[str, ...]
    data_sha256: str
    data_sha256_of: str
    n_rows: int
    software: tuple[tuple[str, str], ...]
    limits: tuple[str, ...] = ()  # what the data cannot show (analysis.estimable.data_limits)
    # read-then-reveal tables (analysis.reveal) by name; empty when no trial has an unaided read
    reveal: Mapping[str, pd.DataFrame] = field(default_factory=lambda: MappingProxyType({}))

    def fitted(self) -> dict[str, StudyFit]:
        """The models that were fitted, by name."""
        return {name: fit for name, fit in self.fits.items() if isinstance(fit, StudyFit)}


def fit_study(
    trials: pd.DataFrame,
    *,
    data_sha256: str | None = None,
    fit_models: bool = True,
    conf_level: float = 0.95,
) -> StudyAnalysis:
    """Validate ``trials`` with load_trials (training trials excluded), describe it and fit the
    study's models (accuracy, followed, rating, confidence).

    ``data_sha256`` is the hash of the file the table came from; without it the hash of the
    table's canonical DATA.md CSV form is kept. A model that cannot be fitted (ModelError, its
    NotEstimable with the plain-words reasons of analysis.estimable, or a singular linear
    system) is kept as its message and named in ``warnings``, as are the engine's warnings and a
    fit that did not converge; the descriptive tables are computed whatever the models do.
    ``fit_models=False`` fits nothing.
    """
    trials = load_trials(trials)
    fits: dict[str, StudyFit | str] = {}
    contrasts: dict[str, pd.DataFrame] = {}
    warnings: list[str] = []
    if fit_models:
        for model in MODELS:
            try:
                fit = fit_model(trials, model=model, conf_level=conf_level)
                model_contrasts = study_contrasts(fit)
            except (ModelError, np.linalg.LinAlgError) as error:
                fits[model] = str(error)
                warnings.append(f"{model} model could not be fitted: {error}")
                continue
            fits[model] = fit
            contrasts[model] = model_contrasts
            if not fit.result.converged:
                warnings.append(
                    f"{model} model did not converge "
                    f"(max |gradient| {fit.result.max_abs_gradient:.2g})"
                )
            warnings.extend(f"{model} model: {warning}" for warning in fit.result.warnings)
    if data_sha256 is None:
        digest, of = trials_sha256(trials), "table's canonical DATA.md CSV form"
    else:
        digest, of = data_sha256, "input file"
    return StudyAnalysis(
        design=_design(trials),
        flow=describe.participant_flow(trials),
        accuracy=describe.accuracy_table(trials, conf_level=conf_level),
        susceptibility=describe.susceptibility_table(trials, conf_level=conf_level),
        susceptibility_by_label=describe.susceptibility_table(
            trials, by=("stratum", "advice_source"), conf_level=conf_level
        ),
        ratings=describe.rating_table(trials),
        confidence=describe.confidence_table(trials),
        response_times=describe.response_time_table(trials),
        models_fitted=fit_models,
        fits=MappingProxyType(fits),
        contrasts=MappingProxyType(contrasts),
        warnings=tuple(warnings),
        data_sha256=digest,
        data_sha256_of=of,
        n_rows=len(trials),
        software=_software(),
        limits=data_limits(trials),
        reveal=MappingProxyType(_reveal_tables(trials, conf_level)),
    )


def _reveal_tables(trials: pd.DataFrame, conf_level: float) -> dict[str, pd.DataFrame]:
    """analysis.reveal's tables that the data supports (none for a study without unaided reads)."""
    tables = {}
    for name, make in (
        ("switch", reveal.switch_table),
        ("accuracy_by_phase", reveal.accuracy_by_phase),
        ("confidence_change", reveal.confidence_change),
    ):
        try:
            tables[name] = make(trials, conf_level=conf_level)
        except ModelError:
            continue
    return tables


def _design(trials: pd.DataFrame) -> DesignSummary:
    per_participant = trials.groupby("participant").agg(
        cases=("case", "size"), inaccurate=("advice_correct", lambda s: int(s.eq(False).sum()))
    )
    strata = trials.groupby("stratum")["participant"].nunique()
    arms = trials.groupby("arm")["advice_source"].agg(lambda s: "/".join(sorted(s.unique())))
    return DesignSummary(
        studies=tuple(sorted(trials["study"].unique())),
        participants=int(trials["participant"].nunique()),
        participants_by_stratum=tuple((str(s), int(n)) for s, n in strata.items()),
        arms=tuple((str(arm), str(labels)) for arm, labels in arms.items()),
        cases=int(trials["case"].nunique()),
        trials=len(trials),
        cases_per_participant=_counts(per_participant["cases"]),
        inaccurate_per_participant=_counts(per_participant["inaccurate"]),
    )


def _counts(values: pd.Series) -> tuple[tuple[int, int], ...]:
    counts = values.value_counts().sort_index()
    return tuple((int(value), int(n)) for value, n in counts.items())


def _software() -> tuple[tuple[str, str], ...]:
    # matplotlib's version from its metadata: fitting must not import the plotting library.
    return (
        ("TrustLab analysis", analysis.__version__),
        ("Python", platform.python_version()),
        ("NumPy", np.__version__),
        ("SciPy", scipy.__version__),
        ("pandas", pd.__version__),
        ("Matplotlib", metadata.version("matplotlib")),
    )
