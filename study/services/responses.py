"""Answers to trials: the time a case and its advice were first shown, the unaided read of a
read-then-reveal study, the one stored response per trial (holding exactly the questions the
trial asks, study.core.questions) and the training feedback seen."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from study.core.questions import QuestionPlan
from study.models import Participant, Response, Study, Trial
from study.selectors.participants import study_question_plan

from .participants import ParticipantStateError, ResponseInvalid


@transaction.atomic
def trial_show(*, trial: Trial) -> Trial:
    """Stamp the first time the case (and, without read-then-reveal, the advice) was shown."""
    trial = (
        Trial.objects.select_for_update(of=("self",))
        .select_related("participant__study", "participant__arm")
        .get(pk=trial.pk)
    )
    fields = []
    now = timezone.now()
    if trial.shown_at is None:
        trial.shown_at = now
        fields.append("shown_at")
    # A no-advice control arm has nothing to reveal: its answer is timed from the case shown.
    arm = trial.participant.arm
    reveals = trial.participant.study.read_then_reveal and (arm is None or arm.gives_advice)
    if trial.advice_shown_at is None and not reveals:
        trial.advice_shown_at = now
        fields.append("advice_shown_at")
    if fields:
        trial.save(update_fields=fields)
    return trial


def _invalid(field: str, reason: str) -> ResponseInvalid:
    # The reason is in the active language: a participant's page shows it at the field.
    return ResponseInvalid(f"{field}: {reason}", field=field, reason=reason)


def _diagnosis_validate(study: Study, field: str, code: str) -> None:
    if not study.diagnoses.filter(code=code).exists():
        raise _invalid(field, _("'%(code)s' is not one of this study's diagnoses") % {"code": code})


def _scale_validate(field: str, value: int, maximum: int) -> None:
    if not 1 <= value <= maximum:
        raise _invalid(
            field,
            _("must be between 1 and %(maximum)s, got %(value)s")
            % {"maximum": maximum, "value": value},
        )


def decision_validate(*, decision: str, final_diagnosis: str, advised_diagnosis: str) -> None:
    """The one rule that keeps a decision and a final diagnosis consistent (Gaube 2021):
    accepting the advice means the final diagnosis is the advised one. Modifying ("slightly
    modify the advice") and rejecting keep Gaube 2021's meaning and allow any study diagnosis
    (a participant may reject the advice's reasoning and still reach its diagnosis)."""
    if decision not in Response.Decision.values:
        raise _invalid("decision", _("unknown code '%(code)s'") % {"code": decision})
    if decision == Response.Decision.ACCEPT and final_diagnosis != advised_diagnosis:
        raise _invalid(
            "final_diagnosis",
            _(
                "you accepted the advice, so your final diagnosis is the advised one; choose "
                "it, or choose modify or reject"
            ),
        )


# Client measurements are the page's own clock and counters: kept only when plausible.
CLIENT_MAX_MS = 24 * 3600 * 1000
CLIENT_SKEW_MS = 2000  # network and rendering: the client may not exceed the server by more
CLIENT_COUNT_MAX = 1_000_000  # viewer actions on one case: far beyond any reader's
CLIENT_TIMINGS = ("client_active_ms", "client_response_ms")
CLIENT_COUNTS = (
    "viewer_interactions",
    "viewer_zoom",
    "viewer_pan",
    "viewer_window",
    "viewer_invert",
    "viewer_fullscreen",
)
CLIENT_MEASUREMENTS = CLIENT_TIMINGS + CLIENT_COUNTS  # the hidden fields of a case page


def _whole_number_within(value: object, maximum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= maximum


def _client_measurements(answer: "Answer", server_ms: int) -> tuple[dict[str, int | None], str]:
    """The client measurements to store and the timing_flag. One unusable measurement (sent but
    not a number, negative, beyond its range) makes the page's script untrustworthy for this
    answer: every client measurement is dropped (empty; the per-kind viewer counts, which the
    model keeps as numbers, 0) and the flag is "out_of_range". Plausible numbers that disagree
    with the server's clock drop the two timings as "clock_skew"."""
    limits = {
        **dict.fromkeys(CLIENT_TIMINGS, CLIENT_MAX_MS),
        **dict.fromkeys(CLIENT_COUNTS, CLIENT_COUNT_MAX),
    }
    values = {name: getattr(answer, name) for name in limits}
    if answer.client_unusable or any(
        value is not None and not _whole_number_within(value, limits[name])
        for name, value in values.items()
    ):
        return dict.fromkeys(limits), "out_of_range"
    active, response = values["client_active_ms"], values["client_response_ms"]
    if any(v is not None and v > server_ms + CLIENT_SKEW_MS for v in (active, response)) or (
        active is not None and response is not None and active > response + CLIENT_SKEW_MS
    ):
        return {**values, **dict.fromkeys(CLIENT_TIMINGS)}, "clock_skew"
    return values, ""


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
    """An answer as posted; the questions a trial does not ask stay at their empty defaults
    (and are stored empty whatever is posted for them)."""

    advice_rating: int | None = None
    decision: str = ""
    final_diagnosis: str = ""
    confidence: int | None = None
    client_active_ms: int | None = None
    client_response_ms: int | None = None
    viewer_interactions: int | None = None
    viewer_zoom: int | None = None
    viewer_pan: int | None = None
    viewer_window: int | None = None
    viewer_invert: int | None = None
    viewer_fullscreen: int | None = None
    # Client measurements the page sent but that were not numbers (the form's names): their
    # presence drops every client measurement of the answer, flagged "out_of_range".
    client_unusable: tuple[str, ...] = ()
    agreed: bool | None = None  # agree/disagree mode: the button pressed


def _required(field: str, value: object) -> None:
    if value is None or value == "":
        raise _invalid(field, _("this question needs an answer"))


def _answer_fields(*, plan: QuestionPlan, answer: Answer, trial: Trial) -> dict[str, object]:
    """The stored question fields of an answer under the trial's plan: each asked one present
    and valid, each other one empty (a value posted for a question not asked is ignored)."""
    study = trial.participant.study
    fields: dict[str, object] = {
        "advice_rating": None,
        "decision": "",
        "final_diagnosis": "",
        "confidence": None,
        "agreed": None,
    }
    if plan.rating:
        _required("advice_rating", answer.advice_rating)
        _scale_validate("advice_rating", answer.advice_rating, study.rating_scale_max)
        fields["advice_rating"] = answer.advice_rating
    if plan.decision:
        _required("decision", answer.decision)
        if answer.decision not in Response.Decision.values:
            raise _invalid("decision", _("unknown code '%(code)s'") % {"code": answer.decision})
        fields["decision"] = answer.decision
    if plan.diagnosis:
        _required("final_diagnosis", answer.final_diagnosis)
        _diagnosis_validate(study, "final_diagnosis", answer.final_diagnosis)
        fields["final_diagnosis"] = answer.final_diagnosis
    if plan.confidence:
        _required("confidence", answer.confidence)
        _scale_validate("confidence", answer.confidence, study.confidence_scale_max)
        fields["confidence"] = answer.confidence
    if plan.agree:
        if not isinstance(answer.agreed, bool):
            raise _invalid("agreed", _("choose Agree or Disagree"))
        fields["agreed"] = answer.agreed
    if plan.decision and plan.diagnosis:
        decision_validate(
            decision=answer.decision,
            final_diagnosis=answer.final_diagnosis,
            advised_diagnosis=trial.advice.diagnosis,
        )
    return fields


@transaction.atomic
def response_record(*, trial: Trial, answer: Answer) -> tuple[Response, bool]:
    """Store the answer to a trial once; a repeated post returns the stored one unchanged. The
    answer holds what the trial's question plan asks (study_question_plan), nothing else."""
    trial = (
        Trial.objects.select_for_update(of=("self",))
        .select_related("participant__study", "participant__arm", "advice")
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
    plan = study_question_plan(study=study, arm=participant.arm)
    questions = _answer_fields(plan=plan, answer=answer, trial=trial)
    answered_at = timezone.now()
    # The server's decision time (answered_at - advice_shown_at) is the export's response_ms.
    server_ms = int((answered_at - trial.advice_shown_at).total_seconds() * 1000)
    client, timing_flag = _client_measurements(answer, server_ms)
    response = Response.objects.create(
        trial=trial,
        response_mode=study.response_mode,
        **questions,
        rating_scale_max=study.rating_scale_max,
        confidence_scale_max=study.confidence_scale_max,
        answered_at=answered_at,
        client_active_ms=client["client_active_ms"],
        client_response_ms=client["client_response_ms"],
        timing_flag=timing_flag,
        viewer_interactions=client["viewer_interactions"],
        # A count the page did not send, or sent out of range, is stored as missing.
        viewer_zoom=client["viewer_zoom"],
        viewer_pan=client["viewer_pan"],
        viewer_window=client["viewer_window"],
        viewer_invert=client["viewer_invert"],
        viewer_fullscreen=client["viewer_fullscreen"],
    )
    return response, True


@transaction.atomic
def trial_feedback_seen(*, trial: Trial) -> Trial:
    """The participant went on from a training trial's feedback page: stamp it once (a second
    post changes nothing). Only an answered training trial of a study giving feedback has one."""
    trial = (
        Trial.objects.select_for_update(of=("self",))
        .select_related("participant__study")
        .get(pk=trial.pk)
    )
    if trial.feedback_seen_at is not None:
        return trial
    participant = trial.participant
    if participant.status != Participant.Status.IN_PROGRESS:
        raise ParticipantStateError("This participant is not answering trials.")
    if not (participant.study.training_feedback and trial.is_training):
        raise ParticipantStateError("Only training cases of this study have feedback.")
    if not Response.objects.filter(trial=trial).exists():
        raise ParticipantStateError("The feedback follows the answer.")
    trial.feedback_seen_at = timezone.now()
    trial.save(update_fields=["feedback_seen_at"])
    return trial
