"""TrustLab analysis: read the DATA.md trials table, describe it, fit the study's mixed models
(fit_study), simulate studies, estimate power and render the HTML report.

Rule: pure Python + numpy/scipy/pandas/matplotlib; this package never imports Django (the study
app calls it, never the reverse). Public names are re-exported here and loaded on first use, so
``import analysis`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "CODEBOOK": "analysis.codebook",
    "CODEBOOK_V2": "analysis.codebook",
    "CODEBOOK_VERSION": "analysis.codebook",
    "TRIALS_COLUMNS": "analysis.codebook",
    "TRIALS_COLUMNS_V2": "analysis.codebook",
    "codebook_frame": "analysis.codebook",
    "TrialsError": "analysis.data",
    "load_trials": "analysis.data",
    "trial_scores": "analysis.data",
    "trials_sha256": "analysis.data",
    "trials_to_csv": "analysis.data",
    "accuracy_table": "analysis.describe",
    "confidence_table": "analysis.describe",
    "participant_flow": "analysis.describe",
    "rating_table": "analysis.describe",
    "response_time_table": "analysis.describe",
    "susceptibility_table": "analysis.describe",
    "wilson_interval": "analysis.describe",
    "StudyFit": "analysis.fits",
    "fit_accuracy": "analysis.fits",
    "fit_confidence": "analysis.fits",
    "fit_followed": "analysis.fits",
    "fit_model": "analysis.fits",
    "fit_rating": "analysis.fits",
    "study_contrasts": "analysis.fits",
    "NotEstimable": "analysis.mixed",
    "data_limits": "analysis.estimable",
    "model_obstacles": "analysis.estimable",
    "StudyAnalysis": "analysis.study",
    "fit_study": "analysis.study",
    "power_curve": "analysis.power",
    "build_report": "analysis.report",
    "render_report": "analysis.report",
    "GaubeEffects": "analysis.simulate",
    "SimulatedPhysician": "analysis.simulate",
    "simulate_trials": "analysis.simulate",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
