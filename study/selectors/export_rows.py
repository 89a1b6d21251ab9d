"""The rows of the export tables (DATA.md, codebook version 2): trials, participants and the
allocation table.

Streamed in chunks so a table of any size is written in constant memory. The scored columns
come from analysis.data.trial_scores, the one definition the analysis also checks against.
Withdrawn participants never appear; synthetic ones only when ``include_synthetic``."""

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TypedDict

import pandas as pd
from django.db.models import Count, QuerySet
from django.utils import timezone

from analysis import data as data_contract
from study.core import allocation, instruments, questionnaire, questions, vocabulary
from study.core.questionnaire import Item
from study.models import Advice, Arm, Participant, Study, Trial

# The export contract (DATA.md) is defined once, in the analysis package that reads it.
TRIALS_COLUMNS = data_contract.TRIALS_COLUMNS_V2
PARTICIPANTS_COLUMNS_V1 = (
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
PARTICIPANTS_FIXED_COLUMNS = (
    *PARTICIPANTS_COLUMNS_V1,
    "design_version",
    "language",
    "external_id",
    "panel_params",
)
# With the default questionnaire (questionnaire.ITEMS); a study's own table has its own items'
# columns: participants_columns(study=...).
PARTICIPANTS_COLUMNS = (
    *PARTICIPANTS_FIXED_COLUMNS,
    "synthetic",
    *(item.column for item in questionnaire.ITEMS),
)
ALLOCATION_COLUMNS = (
    "stratum",
    "slot",
    "arm",
    "case_order",
    "inaccurate_cases",
    "participant",
    # the within-subject factors besides accuracy (issue 10)
    "annotated_cases",
    "confidence_cases",
    "training_cases",
)

# One row of an export table by column name; None is a missing value (an empty CSV cell).
ExportCell = str | int | float | bool | None
ExportRow = dict[str, ExportCell]


def iso_utc(value: datetime | None) -> str:
    return value.isoformat().replace("+00:00", "Z") if value else ""


def exported_participants(
    *, study: Study, include_synthetic: bool = False
) -> QuerySet[Participant]:
    """The participants an export may contain: never the withdrawn, synthetic only if asked."""
    participants = study.participants.exclude(status=Participant.Status.WITHDRAWN)
    return participants if include_synthetic else participants.filter(synthetic=False)


def trial_rows(
    *, study: Study, include_synthetic: bool = False, chunk_size: int = 2000
) -> Iterator[ExportRow]:
    """One row per answered trial of the exported participants, streamed in chunks."""
    trials = (
        Trial.objects.filter(
            participant__in=exported_participants(study=study, include_synthetic=include_synthetic),
            response__isnull=False,
        )
        .select_related("participant__arm", "case", "advice", "response")
        .order_by("participant__public_id", "position")
    )
    for trial in trials.iterator(chunk_size=chunk_size):
        yield _trial_row(study, trial)


def _score(value) -> bool | None:
    # trial_scores gives 0-d arrays for one trial: True, False, or None (undefined).
    value = value.item()
    return None if value is None else bool(value)


def _trial_row(study: Study, trial: Trial) -> ExportRow:
    participant, response, advice = trial.participant, trial.response, trial.advice
    arm = participant.arm
    # A no-advice control trial still has an allocated variant, but shows no advice: the
    # advice columns are empty (DATA.md).
    shows_advice = arm.gives_advice
    advice_correct = advice.variant == Advice.Variant.ACCURATE if shows_advice else None
    advised = advice.diagnosis if shows_advice else None
    scores = data_contract.trial_scores(
        advice_correct=advice_correct,
        decision=response.decision or None,
        final_diagnosis=response.final_diagnosis or None,
        advised_diagnosis=advised,
        reference_diagnosis=trial.case.reference_diagnosis,
        agreed=response.agreed,
    )
    response_ms = (
        int((response.answered_at - trial.advice_shown_at).total_seconds() * 1000)
        if trial.advice_shown_at
        else None
    )
    # agree/disagree mode: the click is the answer, so its time is the server's response time.
    clicked = response.response_mode == "agree_disagree" and response.agreed is not None
    return {
        "study": study.slug,
        "participant": participant.public_id,
        "stratum": participant.stratum,
        "specialty": participant.specialty,
        "training_level": participant.training_level,
        "years_experience": participant.years_experience,
        "arm": arm.code,
        "advice_source": arm.advice_source,
        "case": trial.case.code,
        "position": trial.position,
        "is_training": trial.is_training,
        "advice_correct": advice_correct,
        "annotation_shown": trial.annotation_shown,
        "displayed_confidence": advice.displayed_confidence if trial.confidence_shown else None,
        "advised_diagnosis": advised,
        "reference_diagnosis": trial.case.reference_diagnosis,
        "unaided_diagnosis": trial.unaided_diagnosis or None,
        "unaided_confidence": trial.unaided_confidence,
        "advice_rating": response.advice_rating,
        "decision": response.decision or None,
        "final_diagnosis": response.final_diagnosis or None,
        "confidence": response.confidence,
        "followed_advice": _score(scores["followed_advice"]),
        "correct_decision": _score(scores["correct_decision"]),
        "correct_diagnosis": _score(scores["correct_diagnosis"]),
        "response_ms": response_ms,
        "shown_at": iso_utc(trial.shown_at),
        "answered_at": iso_utc(response.answered_at),
        # codebook version 2
        "advice_shown_at": iso_utc(trial.advice_shown_at) or None,
        "design_version": participant.design_version or 1,
        "explanation": arm.explanation if shows_advice else None,
        "response_mode": response.response_mode,
        "agreed": response.agreed,
        "decision_ms": response_ms if clicked else None,
        "client_active_ms": response.client_active_ms,
        "client_response_ms": response.client_response_ms,
        "viewer_zoom": response.viewer_zoom,
        "viewer_pan": response.viewer_pan,
        "viewer_window": response.viewer_window,
        "viewer_invert": response.viewer_invert,
        "viewer_fullscreen": response.viewer_fullscreen,
        "timing_flag": response.timing_flag or None,
        "synthetic": participant.synthetic,
    }


def participant_status(participant: Participant, *, answered: int, now: datetime) -> str:
    """DATA.md's status: consented, in_progress, abandoned (no activity for the study's
    abandon_after_minutes) or completed."""
    if participant.status == Participant.Status.COMPLETED:
        return "completed"
    last = participant.last_seen_at or participant.enrolled_at or participant.consented_at
    threshold = timedelta(minutes=participant.study.abandon_after_minutes)
    if last is not None and now - last > threshold:
        return "abandoned"
    return "in_progress" if answered else "consented"


def study_questionnaire(study: Study, *, free_text: bool = True) -> tuple[Item, ...]:
    """The study's own questionnaire items (the default ones for a study that kept them);
    without ``free_text``, its free-text items left out (study.permissions decides who)."""
    items = instruments.questionnaire_parse(study.questionnaire_items)
    return items if free_text else tuple(item for item in items if not item.is_free_text)


def free_text_columns(*, study: Study) -> tuple[str, ...]:
    """The participants table's free-text columns: left out of an export without free text."""
    return tuple(item.column for item in study_questionnaire(study) if item.is_free_text)


def participants_columns(*, study: Study, free_text: bool = True) -> tuple[str, ...]:
    """The participants table's header: the fixed columns, then ``q_<code>`` per item of the
    study's questionnaire, in its order (its free-text items only with ``free_text``)."""
    return (
        *PARTICIPANTS_FIXED_COLUMNS,
        "synthetic",
        *(item.column for item in study_questionnaire(study, free_text=free_text)),
    )


def _panel_params(params: dict | None) -> str | None:
    """The panel's session parameters as one JSON object (keys sorted), empty without any: one
    column whatever the panel, so the table's header does not depend on its settings."""
    return json.dumps(params, sort_keys=True, separators=(",", ":")) if params else None


def participant_rows(
    *, study: Study, include_synthetic: bool = False, free_text: bool = True
) -> Iterator[ExportRow]:
    items = study_questionnaire(study, free_text=free_text)
    participants = (
        exported_participants(study=study, include_synthetic=include_synthetic)
        .filter(slot__isnull=False)
        .select_related("arm", "study")
        .annotate(answered=Count("trials__response"))
        .order_by("public_id")
    )
    now = timezone.now()
    for participant in participants.iterator(chunk_size=2000):
        answers = participant.questionnaire or {}
        yield {
            "participant": participant.public_id,
            "stratum": participant.stratum,
            "specialty": participant.specialty,
            "training_level": participant.training_level,
            "years_experience": participant.years_experience,
            "prior_ai_use": participant.prior_ai_use,
            "arm": participant.arm.code,
            "status": participant_status(participant, answered=participant.answered, now=now),
            "consented_at": iso_utc(participant.consented_at),
            "completed_at": iso_utc(participant.completed_at),
            "n_trials_answered": participant.answered,
            "design_version": participant.design_version or 1,
            "language": participant.language or None,
            "external_id": participant.external_id or None,
            "panel_params": _panel_params(participant.panel_params),
            "synthetic": participant.synthetic,
            **{
                item.column: questionnaire.item_value(item, answers.get(item.code))
                for item in items
            },
        }


class SlotFactors(TypedDict):
    """One slot of the allocation with every within-subject factor, as enrolment creates it."""

    stratum: str
    slot: int
    arm: Arm
    case_order: tuple[str, ...]
    inaccurate_cases: tuple[str, ...]
    annotated_cases: tuple[str, ...]
    confidence_cases: tuple[str, ...]
    training_cases: tuple[str, ...]
    participant: str


def allocation_factors(
    *, study: Study, spec: allocation.DesignSpec, n_slots: int
) -> Iterator[SlotFactors]:
    """Per slot of each stratum: the assignment, its arm (code, source, explanation) and the
    cases of each within-subject factor as enrolment will create them: inaccurate advice, an
    annotation drawn (questions.annotation_drawn: the allocation, the arm's explanation and the
    advice variant's annotation), the displayed confidence shown (questions.confidence_shown:
    the study's confidence_display, the arm and the variant's confidence), training. Taken slots
    name the participant."""
    taken = {
        (p["stratum"], p["slot"]): p["public_id"]
        for p in study.participants.filter(slot__isnull=False)
        .exclude(status=Participant.Status.WITHDRAWN)
        .values("stratum", "slot", "public_id")
    }
    arms = {arm.code: arm for arm in study.arms.all()}
    variants = {
        (item.case.code, item.variant == Advice.Variant.ACCURATE): item
        for item in Advice.objects.filter(case__study=study).select_related("case")
    }
    for stratum in vocabulary.strata_of(study.stratum_map):
        for assignment in allocation.allocation_table(spec, stratum=stratum, n_slots=n_slots):
            arm = arms[assignment.arm]
            annotated, shown, training = [], [], []
            for plan in assignment.trials:
                advice = variants[(plan.case, plan.advice_correct)]
                if questions.annotation_drawn(
                    allocated=plan.annotation_shown,
                    explanation=arm.explanation,
                    has_annotation=advice.annotation is not None,
                ):
                    annotated.append(plan.case)
                if questions.confidence_shown(
                    display=study.confidence_display,
                    advice_source=arm.advice_source,
                    has_confidence=advice.displayed_confidence is not None,
                ):
                    shown.append(plan.case)
                if plan.is_training:
                    training.append(plan.case)
            yield {
                "stratum": stratum,
                "slot": assignment.slot,
                "arm": arm,
                "case_order": assignment.case_order,
                "inaccurate_cases": assignment.inaccurate_cases if arm.gives_advice else (),
                "annotated_cases": tuple(annotated),
                "confidence_cases": tuple(shown),
                "training_cases": tuple(training),
                "participant": taken.get((stratum, assignment.slot), ""),
            }


_CODE_LISTS = ("case_order", "inaccurate_cases", "annotated_cases", "confidence_cases")


def allocation_rows(
    *, study: Study, spec: allocation.DesignSpec, n_slots: int
) -> Iterator[ExportRow]:
    """The allocation table, printable before the study starts; taken slots name the participant.
    Case lists are codes joined by ';' in position order."""
    for slot in allocation_factors(study=study, spec=spec, n_slots=n_slots):
        cells = {
            **slot,
            "arm": slot["arm"].code,
            **{name: ";".join(slot[name]) for name in (*_CODE_LISTS, "training_cases")},
        }
        yield {name: cells[name] for name in ALLOCATION_COLUMNS}


def trials_frame(*, study: Study, include_synthetic: bool = False) -> pd.DataFrame:
    """The trials table as a DataFrame in DATA.md column order (for the analysis package)."""
    rows = trial_rows(study=study, include_synthetic=include_synthetic)
    return pd.DataFrame(list(rows), columns=list(TRIALS_COLUMNS))
