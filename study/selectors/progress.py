"""Recruitment progress for the console and the API: counts by stratum x arm, where each
participant is (the dropout by step, abandoned sessions), quotas. Counted in SQL, one
conditional Count per figure, never by looping over participants."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import Any, TypedDict, cast

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

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


class DropoutCounts(TypedDict):
    """Where each invited participant is now: every one is counted in exactly one step."""

    not_consented: int  # invited, the consent page not answered (or never opened)
    consented_not_screened: int
    screened_no_trial_answered: int  # enrolled, no case answered yet
    part_way: int  # at least one case answered, not finished (questionnaire, debrief included)
    completed: int
    withdrawn: int  # at any step, by the participant or a researcher
    declined: int
    screened_out: int  # not in any stratum of the study
    stratum_full: int  # screened in, but the stratum's quota was reached
    reissued: int  # the slot went to someone else after no answer in time


class AbandonedCounts(TypedDict):
    """Participants still taking part (not finished, withdrawn, declined or turned away) whose
    last activity is older than the study's abandon_after_minutes, in total and by step."""

    total: int
    not_consented: int
    consented_not_screened: int
    screened_no_trial_answered: int
    part_way: int


class StudyProgressCounts(TypedDict):
    invited: int
    declined: int
    ineligible: int
    enrolled: int
    completed: int
    withdrawn: int
    in_progress: int
    cells: list[CellProgress]
    dropout: DropoutCounts
    abandoned: AbandonedCounts
    abandon_after_minutes: int
    median_minutes: float | None
    answered_trials: int


_Status = Participant.Status
# The steps of someone still taking part, where a session can be abandoned.
_TAKING_PART_STEPS: dict[str, Q] = {
    "not_consented": Q(status=_Status.INVITED),
    "consented_not_screened": Q(status=_Status.CONSENTED),
    "screened_no_trial_answered": Q(status=_Status.IN_PROGRESS, has_answer=False),
    "part_way": Q(status=_Status.IN_PROGRESS, has_answer=True),
}
_FINAL_STEPS: dict[str, Q] = {
    "completed": Q(status=_Status.COMPLETED),
    "withdrawn": Q(status=_Status.WITHDRAWN),
    "declined": Q(status=_Status.DECLINED),
    "screened_out": Q(status=_Status.INELIGIBLE),
    "stratum_full": Q(status=_Status.STRATUM_FULL),
    "reissued": Q(status=_Status.REISSUED),
}


def _dropout_and_abandoned(*, study: Study, now: datetime) -> tuple[DropoutCounts, AbandonedCounts]:
    """One query: each step's count, and of those still taking part the abandoned ones, whose
    last activity (last_seen_at, else enrolled_at, else consented_at: enrolment always follows
    consent, so that is the later of the two) is older than the threshold. Someone who never
    opened their invitation has no activity and is not abandoned."""
    cutoff = now - timedelta(minutes=study.abandon_after_minutes)
    participants = study.participants.annotate(
        has_answer=Exists(Response.objects.filter(trial__participant=OuterRef("pk"))),
        last_activity=Coalesce("last_seen_at", "enrolled_at", "consented_at"),
    )
    stale = Q(last_activity__lt=cutoff)
    counts: dict[str, int] = participants.aggregate(
        **{
            step: Count("id", filter=q)
            for step, q in {**_TAKING_PART_STEPS, **_FINAL_STEPS}.items()
        },
        **{
            f"abandoned_{step}": Count("id", filter=q & stale)
            for step, q in _TAKING_PART_STEPS.items()
        },
    )
    dropout = {step: counts[step] for step in (*_TAKING_PART_STEPS, *_FINAL_STEPS)}
    abandoned = {step: counts[f"abandoned_{step}"] for step in _TAKING_PART_STEPS}
    abandoned_counts = {"total": sum(abandoned.values()), **abandoned}
    return cast(DropoutCounts, dropout), cast(AbandonedCounts, abandoned_counts)


class StratumQuotaRow(TypedDict):
    stratum: str
    enrolled: int
    quota: int | None


def study_progress(*, study: Study, now: datetime | None = None) -> StudyProgressCounts:
    """The study's recruitment figures; ``now`` (default: the current time) is when
    abandonment is judged."""
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
    counts["dropout"], counts["abandoned"] = _dropout_and_abandoned(
        study=study, now=now or timezone.now()
    )
    counts["abandon_after_minutes"] = study.abandon_after_minutes
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
