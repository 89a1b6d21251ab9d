"""fit_study: the one place a study is fitted; the report renders its frozen result."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from analysis import fits as fits_module
from analysis import study as study_module
from analysis.data import trials_sha256
from analysis.fits import MODELS, StudyFit
from analysis.mixed import ModelError
from analysis.report import render_report
from analysis.study import StudyAnalysis, fit_study

WHEN = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


@pytest.fixture(scope="module")
def analysis(simulated_trials) -> StudyAnalysis:
    return fit_study(simulated_trials)


def test_the_design_summary_is_what_the_data_show(trials_factory):
    trials = trials_factory(
        [
            ("p1", "radiology", "ai", [("A", True, True), ("B", False, True)]),
            ("p2", "radiology", "human", [("A", True, False), ("B", True, True)]),
            ("p3", "non_radiology", "human", [("A", False, False)]),
        ]
    )
    design = fit_study(trials, fit_models=False).design
    assert design.studies == ("hand-built",)
    assert design.participants == 3
    assert design.participants_by_stratum == (("non_radiology", 1), ("radiology", 2))
    assert design.arms == (("ai", "ai"), ("human", "human"))
    assert (design.cases, design.trials) == (2, 5)
    assert design.cases_per_participant == ((1, 1), (2, 2))
    assert design.inaccurate_per_participant == ((0, 1), (1, 2))


def test_every_model_is_fitted_with_its_contrasts(analysis):
    assert tuple(analysis.fits) == tuple(MODELS)
    assert all(isinstance(fit, StudyFit) for fit in analysis.fits.values())
    assert analysis.fitted().keys() == analysis.contrasts.keys()
    for name, contrasts in analysis.contrasts.items():
        assert len(contrasts) > 0, name
        assert {"stratum", "advice", "estimate", "p"} <= set(contrasts.columns)


def test_the_analysis_is_frozen(analysis):
    with pytest.raises(dataclasses.FrozenInstanceError):
        analysis.warnings = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        analysis.fits["rating"] = "replaced"  # type: ignore[index]


def test_the_hash_is_of_the_input_file_when_given_else_of_the_table(simulated_trials):
    assert fit_study(simulated_trials, fit_models=False).data_sha256 == trials_sha256(
        simulated_trials
    )
    given = fit_study(simulated_trials, fit_models=False, data_sha256="abc")
    assert (given.data_sha256, given.data_sha256_of) == ("abc", "input file")


def test_a_descriptive_only_analysis_fits_nothing(simulated_trials, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a model was fitted")

    monkeypatch.setattr(study_module, "fit_model", refuse)
    analysis = fit_study(simulated_trials, fit_models=False)
    assert (analysis.models_fitted, dict(analysis.fits), analysis.warnings) == (False, {}, ())
    assert analysis.n_rows == len(simulated_trials)


def test_a_model_that_cannot_be_fitted_is_kept_as_its_message(simulated_trials, monkeypatch):
    real = fits_module.fit_model

    def refuse_followed(trials, *, model, conf_level=0.95):
        if model == "followed":
            raise ModelError("followed: design matrix is rank deficient")
        return real(trials, model=model, conf_level=conf_level)

    monkeypatch.setattr(study_module, "fit_model", refuse_followed)
    analysis = fit_study(simulated_trials)
    assert analysis.fits["followed"] == "followed: design matrix is rank deficient"
    assert "followed" not in analysis.contrasts
    assert (
        "followed model could not be fitted: followed: design matrix is rank deficient"
        in analysis.warnings
    )
    assert set(analysis.fitted()) == {"accuracy", "rating", "confidence"}


def test_rendering_fits_nothing(analysis, monkeypatch):
    # given: fitting is impossible from here on
    def refuse(*args, **kwargs):
        raise AssertionError("the report fitted a model")

    monkeypatch.setattr(study_module, "fit_model", refuse)
    monkeypatch.setattr(fits_module, "fit_model", refuse)
    # when: the analysis computed before is rendered twice
    first = render_report(analysis, generated_at=WHEN)
    second = render_report(analysis, generated_at=WHEN)
    # then
    assert first == second
    assert "Advice quality rating (LMM, REML)" in first
