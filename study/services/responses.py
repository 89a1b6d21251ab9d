"""Answers to trials: the time a case and its advice were first shown, the unaided read of a
read-then-reveal study, and the one stored response per trial."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from study.models import Participant, Response, Study, Trial

from .participants import ParticipantStateError, ResponseInvalid


@transaction.atomic
def trial_show(*, trial: Trial) -> Trial:
    """Stamp the first time the case (and, without read-then-reveal, the advice) was shown."""
    trial = (
        Trial.objects.select_for_update(of=("self",))
        .select_related("participant__study")
        .get(pk=trial.pk)
    )
    fields = []
    now = timezone.now()
    if trial.shown_at is None:
        trial.shown_at = now
        fields.append("shown_at")
    if trial.advice_shown_at is None and not trial.participant.study.read_then_reveal:
        trial.advice_shown_at = now
        fields.append("advice_shown_at")
    if fields:
        trial.save(update_fields=fields)
    return trial


def _diagnosis_validate(study: Study, field: str, code: str) -> None:
    if not study.diagnoses.filter(code=code).exists():
        raise ResponseInvalid(f"{field}: '{code}' is not one of this study's diagnoses")


def _scale_validate(field: str, value: int, maximum: int) -> None:
    if not 1 <= value <= maximum:
        raise ResponseInvalid(f"{field}: must be between 1 and {maximum}, got {value}")


@transaction.atomic
def trial_unaided_record(*, trial: Trial, diagnosis: str, confidence: int) -> Trial:
    """Read-then-reveal: keep the unaided read, then reveal the advice."""
    trial = (
        Trial.objects.select_for_update(of=("self",))
        .select_related("participant__study")
        .get(pk=trial.pk)
    )
    study = trial.participant.study
    if not study.read_then_reveal or trial.advice_shown_at is not None:
        return trial  # already revealed: a resubmitted unaided form changes nothing
    _diagnosis_validate(study, "unaided_diagnosis", diagnosis)
    _scale_validate("unaided_confidence", confidence, study.confidence_scale_max)
    trial.unaided_diagnosis = diagnosis
    trial.unaided_confidence = confidence
    trial.advice_shown_at = timezone.now()
    trial.save(update_fields=["unaided_diagnosis", "unaided_confidence", "advice_shown_at"])
    return trial


@dataclass(frozen=True)
class Answer:
    advice_rating: int
    decision: str
    final_diagnosis: str
    confidence: int
    client_view_ms: int | None = None
    client_response_ms: int | None = None
    viewer_interactions: int | None = None


@transaction.atomic
def response_record(*, trial: Trial, answer: Answer) -> tuple[Response, bool]:
    """Store the answer to a trial once; a repeated post returns the stored one unchanged."""
    trial = (
        Trial.objects.select_for_update(of=("self",))
        .select_related("participant__study")
        .get(pk=trial.pk)
    )
    existing = Response.objects.filter(trial=trial).first()
    if existing is not None:
        return existing, False
    participant = trial.participant
    if participant.status != Participant.Status.IN_PROGRESS:
        raise ParticipantStateError("This participant is not answering trials.")
    if trial.advice_shown_at is None:
        raise ParticipantStateError("The advice of this trial has not been shown yet.")
    study = participant.study
    _scale_validate("advice_rating", answer.advice_rating, study.rating_scale_max)
    _scale_validate("confidence", answer.confidence, study.confidence_scale_max)
    if answer.decision not in Response.Decision.values:
        raise ResponseInvalid(f"decision: unknown code '{answer.decision}'")
    _diagnosis_validate(study, "final_diagnosis", answer.final_diagnosis)
    response = Response.objects.create(
        trial=trial,
        advice_rating=answer.advice_rating,
        rating_scale_max=study.rating_scale_max,
        decision=answer.decision,
        final_diagnosis=answer.final_diagnosis,
        confidence=answer.confidence,
        confidence_scale_max=study.confidence_scale_max,
        answered_at=timezone.now(),
        client_view_ms=answer.client_view_ms,
        client_response_ms=answer.client_response_ms,
        viewer_interactions=answer.viewer_interactions,
    )
    return response, True
