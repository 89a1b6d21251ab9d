"""Recruitment progress for the console and the API: counts by stratum x arm, quotas."""

from dataclasses import dataclass
from statistics import median
from typing import Any, TypedDict, cast

from django.db.models import Count, Q, QuerySet

from study.core import vocabulary
from study.models import Participant, Response, Study


@dataclass(frozen=True)
class CellProgress:
    stratum: str
    arm: str
    enrolled: int
    completed: int
    withdrawn: int
    in_progress: int


class StudyProgressCounts(TypedDict):
    invited: int
    declined: int
    ineligible: int
    enrolled: int
    completed: int
    withdrawn: int
    in_progress: int
    cells: list[CellProgress]
    dropout: int
    median_minutes: float | None
    answered_trials: int


class StratumQuotaRow(TypedDict):
    stratum: str
    enrolled: int
    quota: int | None


def study_progress(*, study: Study) -> StudyProgressCounts:
    participants = study.participants.all()
    counts: dict[str, Any] = participants.aggregate(
        invited=Count("id"),
        declined=Count("id", filter=Q(status=Participant.Status.DECLINED)),
        ineligible=Count("id", filter=Q(status=Participant.Status.INELIGIBLE)),
        enrolled=Count("id", filter=Q(slot__isnull=False)),
        completed=Count("id", filter=Q(status=Participant.Status.COMPLETED)),
        withdrawn=Count("id", filter=Q(status=Participant.Status.WITHDRAWN)),
        in_progress=Count("id", filter=Q(status=Participant.Status.IN_PROGRESS)),
    )
    cells = (
        participants.filter(slot__isnull=False)
        .values("stratum", "arm__code")
        .annotate(
            enrolled=Count("id"),
            completed=Count("id", filter=Q(status=Participant.Status.COMPLETED)),
            withdrawn=Count("id", filter=Q(status=Participant.Status.WITHDRAWN)),
            in_progress=Count("id", filter=Q(status=Participant.Status.IN_PROGRESS)),
        )
        .order_by("stratum", "arm__code")
    )
    durations = [
        (p.completed_at - p.enrolled_at).total_seconds()
        for p in participants.filter(status=Participant.Status.COMPLETED).only(
            "completed_at", "enrolled_at"
        )
        if p.completed_at and p.enrolled_at
    ]
    counts["cells"] = [
        CellProgress(
            stratum=c["stratum"],
            arm=c["arm__code"],
            enrolled=c["enrolled"],
            completed=c["completed"],
            withdrawn=c["withdrawn"],
            in_progress=c["in_progress"],
        )
        for c in cells
    ]
    counts["dropout"] = counts["enrolled"] - counts["completed"] - counts["in_progress"]
    counts["median_minutes"] = round(median(durations) / 60, 1) if durations else None
    counts["answered_trials"] = Response.objects.filter(trial__participant__study=study).count()
    return cast(StudyProgressCounts, counts)  # now with every key of StudyProgressCounts


def stratum_quota_rows(*, study: Study) -> list[StratumQuotaRow]:
    """Per stratum: enrolments so far (slots taken) and the quota, if any."""
    taken = dict(study.stratum_counters.values_list("stratum", "next_slot"))
    return [
        {"stratum": s, "enrolled": taken.get(s, 0), "quota": study.stratum_quotas.get(s)}
        for s in vocabulary.strata_of(study.stratum_map)
    ]


def studies_with_counts(*, studies: QuerySet[Study]) -> QuerySet[Study]:
    """The console's study list: each study with its participant count in the same query."""
    return studies.annotate(participant_count=Count("participants")).order_by("-created_at")
