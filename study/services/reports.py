"""The analysis report of a study's current data, recorded in the audit log."""

from django.db import transaction

from study import selectors
from study.models import Study

from .audit import Actor, audit_record


class ReportUnavailable(ValueError):
    """The study has no data to report on yet."""


@transaction.atomic
def study_report(*, study: Study, actor: Actor = None, include_synthetic: bool = False) -> str:
    """Fit the study's models on its current trials table and render the HTML report.
    Simulated participants count only with ``include_synthetic`` (the title then says so).
    A model the data cannot support yet (one participant, constant answers) is shown with the
    reason in plain words next to the descriptive tables; only a study without answered trials
    raises ReportUnavailable."""
    from analysis.report import build_report  # matplotlib and the models load on first use

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
