"""The analysis report of a study's current data, recorded in the audit log."""

from django.db import transaction

from study import selectors
from study.models import Study

from .audit import Actor, audit_record


class ReportUnavailable(ValueError):
    """The study has no data to report on yet."""


@transaction.atomic
def study_report(*, study: Study, actor: Actor = None) -> str:
    """Fit the study's models on its current trials table and render the HTML report."""
    from analysis.report import build_report  # matplotlib and the models load on first use

    trials = selectors.trials_frame(study=study)
    if trials.empty:
        raise ReportUnavailable("No answered trials yet: the report needs data.")
    html = build_report(trials, title=f"{study.title}: analysis report", source_name=study.slug)
    audit_record(action="report", study=study, actor=actor, detail={"trials": len(trials)})
    return html
