"""The rows of the export tables (DATA.md): trials, participants and the allocation table.

Streamed in chunks so a table of any size is written in constant memory. The scored columns
come from analysis.data.trial_scores, the one definition the analysis also checks against."""

from collections.abc import Iterator
from datetime import datetime

import pandas as pd
from django.db.models import Count

from analysis import data as data_contract
from study.core import allocation, vocabulary
from study.models import Participant, Study, Trial

# The export contract (DATA.md) is defined once, in the analysis package that reads it.
TRIALS_COLUMNS = data_contract.TRIALS_COLUMNS
PARTICIPANTS_COLUMNS = (
    "participant",
    "stratum",
    "specialty",
    "training_level",
    "years_experience",
    "prior_ai_use",
    "arm",
    "status",
    "consented_at",
    "completed_at",
    "n_trials_answered",
)
ALLOCATION_COLUMNS = ("stratum", "slot", "arm", "case_order", "inaccurate_cases", "participant")

# One row of an export table by column name; None is a missing value (an empty CSV cell).
ExportCell = str | int | float | bool | None
ExportRow = dict[str, ExportCell]


def _iso(value: datetime | None) -> str:
    return value.isoformat().replace("+00:00", "Z") if value else ""


def trial_rows(*, study: Study, chunk_size: int = 2000) -> Iterator[ExportRow]:
    """One row per answered trial of non-withdrawn participants, streamed in chunks."""
    trials = (
        Trial.objects.filter(participant__study=study, response__isnull=False)
        .exclude(participant__status=Participant.Status.WITHDRAWN)
        .select_related("participant__arm", "case", "advice", "response")
        .order_by("participant__public_id", "position")
    )
    for trial in trials.iterator(chunk_size=chunk_size):
        participant, response, advice = trial.participant, trial.response, trial.advice
        advice_correct = advice.variant == advice.Variant.ACCURATE
        scores = data_contract.trial_scores(
            advice_correct=advice_correct,
            decision=response.decision,
            final_diagnosis=response.final_diagnosis,
            advised_diagnosis=advice.diagnosis,
            reference_diagnosis=trial.case.reference_diagnosis,
        )
        response_ms = (
            int((response.answered_at - trial.advice_shown_at).total_seconds() * 1000)
            if trial.advice_shown_at
            else None
        )
        yield {
            "study": study.slug,
            "participant": participant.public_id,
            "stratum": participant.stratum,
            "specialty": participant.specialty,
            "training_level": participant.training_level,
            "years_experience": participant.years_experience,
            "arm": participant.arm.code,
            "advice_source": participant.arm.advice_source,
            "case": trial.case.code,
            "position": trial.position,
            "is_training": trial.is_training,
            "advice_correct": advice_correct,
            "annotation_shown": trial.annotation_shown,
            "displayed_confidence": advice.displayed_confidence,
            "advised_diagnosis": advice.diagnosis,
            "reference_diagnosis": trial.case.reference_diagnosis,
            "unaided_diagnosis": trial.unaided_diagnosis or None,
            "unaided_confidence": trial.unaided_confidence,
            "advice_rating": response.advice_rating,
            "decision": response.decision,
            "final_diagnosis": response.final_diagnosis,
            "confidence": response.confidence,
            "followed_advice": bool(scores["followed_advice"]),
            "correct_decision": bool(scores["correct_decision"]),
            "correct_diagnosis": bool(scores["correct_diagnosis"]),
            "response_ms": response_ms,
            "shown_at": _iso(trial.shown_at),
            "answered_at": _iso(response.answered_at),
        }


def participant_rows(*, study: Study) -> Iterator[ExportRow]:
    participants = (
        study.participants.filter(slot__isnull=False)
        .exclude(status=Participant.Status.WITHDRAWN)
        .select_related("arm")
        .annotate(answered=Count("trials__response"))
        .order_by("public_id")
    )
    for participant in participants.iterator(chunk_size=2000):
        status = participant.status
        if status == Participant.Status.IN_PROGRESS and participant.answered == 0:
            status = "consented"
        yield {
            "participant": participant.public_id,
            "stratum": participant.stratum,
            "specialty": participant.specialty,
            "training_level": participant.training_level,
            "years_experience": participant.years_experience,
            "prior_ai_use": participant.prior_ai_use,
            "arm": participant.arm.code,
            "status": status,
            "consented_at": _iso(participant.consented_at),
            "completed_at": _iso(participant.completed_at),
            "n_trials_answered": participant.answered,
        }


def allocation_rows(
    *, study: Study, spec: allocation.DesignSpec, n_slots: int
) -> Iterator[ExportRow]:
    """The allocation table, printable before the study starts; taken slots name the participant."""
    taken = {
        (p["stratum"], p["slot"]): p["public_id"]
        for p in study.participants.filter(slot__isnull=False)
        .exclude(status=Participant.Status.WITHDRAWN)
        .values("stratum", "slot", "public_id")
    }
    for stratum in vocabulary.strata_of(study.stratum_map):
        for assignment in allocation.allocation_table(spec, stratum=stratum, n_slots=n_slots):
            yield {
                "stratum": stratum,
                "slot": assignment.slot,
                "arm": assignment.arm,
                "case_order": ";".join(assignment.case_order),
                "inaccurate_cases": ";".join(assignment.inaccurate_cases),
                "participant": taken.get((stratum, assignment.slot), ""),
            }


def trials_frame(*, study: Study) -> pd.DataFrame:
    """The trials table as a DataFrame in DATA.md column order (for the analysis package)."""
    return pd.DataFrame(list(trial_rows(study=study)), columns=list(TRIALS_COLUMNS))
