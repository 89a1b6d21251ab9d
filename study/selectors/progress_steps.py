"""Live progress over the participant flow: where each participant who was given a link
stopped (consent, screening, each case by position, questionnaire, debrief), enrolment and
completion per day, and the spread of durations. Grouped in SQL; Python only walks the groups
(a handful of rows: statuses x answered counts), never the participants."""

from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median, quantiles
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncDate

from study.models import Participant, Response, Study, Trial

_Status = Participant.Status
# Turned away or left for good at the step they were on (a withdrawal is placed by its data).
_LEFT = {_Status.DECLINED, _Status.INELIGIBLE, _Status.STRATUM_FULL, _Status.REISSUED}


@dataclass(frozen=True)
class StepDropout:
    """One step of the flow: how many got to it, how many are on it now and may go on, how many
    stopped there for good (declined, screened out, stratum full, slot reissued, withdrew)."""

    step: str  # consent | screening | case | questionnaire | debrief | finished
    position: int | None  # the case's position in the participant's sequence, for "case"
    reached: int
    here: int
    left: int

    @property
    def label(self) -> str:
        if self.step == "case":
            return f"Case {self.position}"
        return {"finished": "Finished (completion code shown)"}.get(self.step, self.step.title())


@dataclass(frozen=True)
class DayCounts:
    """One calendar day (UTC): enrolments and completions that day and up to that day."""

    day: date
    enrolled: int
    completed: int
    enrolled_total: int
    completed_total: int


@dataclass(frozen=True)
class DurationSummary:
    """Enrolment to completion of the completed participants, in minutes (one decimal)."""

    n: int
    q1: float | None
    median: float | None
    q3: float | None


def _count_of(model: type[Response] | type[Trial], participant_field: str) -> Coalesce:
    rows = (
        model.objects.filter(**{participant_field: OuterRef("pk")})
        .order_by()
        .values(participant_field)
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _flag(q: Q) -> ExpressionWrapper:
    return ExpressionWrapper(q, output_field=BooleanField())


def _stop(group: dict[str, Any]) -> tuple[str, int | None, bool]:
    """(step, case position, left for good) of the participants in one group."""
    status = group["status"]
    if status in (_Status.INVITED, _Status.DECLINED) or not group["consented"]:
        return "consent", None, status != _Status.INVITED
    if status == _Status.REISSUED:  # their trials went with the slot; none was answered
        return "case", 1, True
    if not group["enrolled"]:
        return "screening", None, status != _Status.CONSENTED
    left = status != _Status.IN_PROGRESS
    if group["finished"]:
        # The debrief's "withdraw my data" also gives a completion code: that one left at the
        # debrief; withdrawn later (by a researcher) is a finished session, then withdrawn.
        if status == _Status.WITHDRAWN and group["withdrawn_step"] == "debrief":
            return "debrief", None, True
        return "finished", None, status == _Status.WITHDRAWN
    if group["answered"] < group["n_trials"]:
        return "case", group["answered"] + 1, left
    if not group["questionnaire_done"]:
        return "questionnaire", None, left
    return "debrief", None, left


def study_dropout_by_step(*, study: Study) -> list[StepDropout]:
    """Every step from consent to the end, in order, each participant stopped at exactly one
    (links revoked before use are not counted); a step's ``reached`` counts everyone stopped
    there or later. Cases run to the longest sequence any participant has (or the design's)."""
    groups = (
        study.participants.exclude(status=_Status.REVOKED)
        .annotate(
            answered=_count_of(Response, "trial__participant"),
            n_trials=_count_of(Trial, "participant"),
        )
        .values(
            "status",
            "answered",
            "n_trials",
            "withdrawn_step",
            consented=_flag(Q(consented_at__isnull=False)),
            enrolled=_flag(Q(slot__isnull=False)),
            questionnaire_done=_flag(Q(questionnaire_at__isnull=False)),
            finished=_flag(Q(completed_at__isnull=False)),
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    designed = study.cases_per_participant + study.cases.filter(is_training=True).count()
    here: dict[tuple[str, int | None], int] = {}
    left: dict[tuple[str, int | None], int] = {}
    longest = designed
    for group in groups:
        step, position, gone = _stop(group)
        longest = max(longest, position or 0, group["n_trials"])
        counts = left if gone else here
        counts[step, position] = counts.get((step, position), 0) + group["n"]
    order = [
        ("consent", None),
        ("screening", None),
        *(("case", position) for position in range(1, longest + 1)),
        ("questionnaire", None),
        ("debrief", None),
        ("finished", None),
    ]
    rows = []
    reached = sum(here.values()) + sum(left.values())
    for key in order:
        rows.append(StepDropout(key[0], key[1], reached, here.get(key, 0), left.get(key, 0)))
        reached -= here.get(key, 0) + left.get(key, 0)
    return rows


def _per_day(study: Study, field: str) -> dict[date, int]:
    rows = (
        study.participants.filter(**{f"{field}__isnull": False})
        .annotate(day=TruncDate(field))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["day"]: row["n"] for row in rows}


def study_enrolment_by_day(*, study: Study) -> list[DayCounts]:
    """Each day (UTC) from the first enrolment to the last enrolment or completion, days
    without any included, so the totals can be drawn as a line; empty before anyone enrols."""
    enrolled = _per_day(study, "enrolled_at")
    completed = _per_day(study, "completed_at")
    if not enrolled:
        return []
    day, last = min(enrolled), max(enrolled | completed)
    days = []
    enrolled_total = completed_total = 0
    while day <= last:
        enrolled_total += enrolled.get(day, 0)
        completed_total += completed.get(day, 0)
        days.append(
            DayCounts(
                day=day,
                enrolled=enrolled.get(day, 0),
                completed=completed.get(day, 0),
                enrolled_total=enrolled_total,
                completed_total=completed_total,
            )
        )
        day += timedelta(days=1)
    return days


def study_duration_summary(*, study: Study) -> DurationSummary:
    """Quartiles by the inclusive method (the sample's own minimum and maximum are the 0th and
    4th quartile, as R's default type 7): with one completion all three are its duration."""
    minutes = sorted(
        (completed_at - enrolled_at).total_seconds() / 60
        for enrolled_at, completed_at in study.participants.filter(
            status=_Status.COMPLETED, enrolled_at__isnull=False, completed_at__isnull=False
        ).values_list("enrolled_at", "completed_at")
    )
    if not minutes:
        return DurationSummary(n=0, q1=None, median=None, q3=None)
    if len(minutes) == 1:
        q1 = q3 = minutes[0]
    else:
        q1, _, q3 = quantiles(minutes, n=4, method="inclusive")
    return DurationSummary(
        n=len(minutes), q1=round(q1, 1), median=round(median(minutes), 1), q3=round(q3, 1)
    )
