"""The analysis report of a study's current data, recorded in the audit log."""

import hashlib

import pandas as pd
from django.db import transaction

from study import selectors
from study.models import Study

from .audit import Actor, audit_record


class ReportUnavailable(ValueError):
    """The study has no data to report on yet."""


def report_data(*, study: Study, include_synthetic: bool = False) -> tuple[pd.DataFrame, str]:
    """The trials table a report is fitted on, and its sha256 (of the table as CSV): the key
    a fitted report is cached under."""
    trials = selectors.trials_frame(study=study, include_synthetic=include_synthetic)
    digest = hashlib.sha256(trials.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    return trials, digest.hexdigest()


@transaction.atomic
def study_report(
    *,
    study: Study,
    actor: Actor = None,
    include_synthetic: bool = False,
    trials: pd.DataFrame | None = None,
) -> str:
    """Fit the study's models on its current trials table (or ``trials``, from report_data)
    and render the HTML report. Simulated participants count only with ``include_synthetic``
    (the title then says so). A model the data cannot support yet (one participant, constant
    answers) is shown with the reason in plain words next to the descriptive tables; only a
    study without answered trials raises ReportUnavailable."""
    from analysis.report import build_report  # matplotlib and the models load on first use

    if trials is None:
        trials = selectors.trials_frame(study=study, include_synthetic=include_synthetic)
    if trials.empty:
        raise ReportUnavailable("No answered trials yet: the report needs data.")
    title = f"{study.title}: analysis report"
    if include_synthetic and trials["synthetic"].any():
        title += " (includes simulated participants)"
    html = build_report(trials, title=title, source_name=study.slug)
    audit_record(
        action="report",
        study=study,
        actor=actor,
        detail={"trials": len(trials), "include_synthetic": include_synthetic},
    )
    return html
