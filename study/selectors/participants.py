"""Where a participant is: the one step every participant URL leads to, and its progress."""

from dataclasses import dataclass
from typing import TypedDict

from django.utils.translation import gettext

from study.core import questions
from study.models import Arm, Participant, Study, Trial

# Longer than any token issued (the model's max_length): a longer one can never match.
TOKEN_MAX = 64


@dataclass(frozen=True)
class Step:
    """The one page a participant belongs on now; every participant URL redirects here."""

    # consent, declined, screening, ineligible, full, reissued, trial, feedback (after a
    # training trial, when the study gives feedback), questionnaire, debrief, done, withdrawn
    name: str
    trial: Trial | None = None
    position: int | None = None
    total: int | None = None


_STATUS_STEPS = {
    Participant.Status.INVITED: "consent",
    Participant.Status.DECLINED: "declined",
    Participant.Status.INELIGIBLE: "ineligible",
    Participant.Status.STRATUM_FULL: "full",
    Participant.Status.REISSUED: "reissued",
    Participant.Status.CONSENTED: "screening",
    Participant.Status.COMPLETED: "done",
    # Withdrawn at any step, before or after finishing: every URL shows the withdrawn page.
    Participant.Status.WITHDRAWN: "withdrawn",
    # The team revoked the link before it was used: every URL says so (410).
    Participant.Status.REVOKED: "revoked",
}


def participant_current_step(*, participant: Participant) -> Step:
    """The participant's step: the feedback of an answered training trial not yet seen (when the
    study gives training feedback), else the first unanswered trial, else the questionnaire or
    debrief."""
    fixed = _STATUS_STEPS.get(participant.status)
    if fixed is not None:
        return Step(fixed)
    trials = participant.trials.order_by("position")
    total = trials.count()
    if participant.study.training_feedback:
        pending = (
            trials.filter(is_training=True, response__isnull=False, feedback_seen_at__isnull=True)
            .select_related("case", "advice", "response")
            .first()
        )
        if pending is not None:
            return Step("feedback", trial=pending, position=pending.position, total=total)
    next_trial = trials.filter(response__isnull=True).select_related("case", "advice").first()
    if next_trial is not None:
        return Step("trial", trial=next_trial, position=next_trial.position, total=total)
    if participant.questionnaire_at is None:
        return Step("questionnaire", total=total)
    return Step("debrief", total=total)


def study_question_plan(*, study: Study, arm: Arm | None) -> questions.QuestionPlan:
    """What a trial of ``arm`` asks in ``study``: study.core.questions' rule applied to the
    study's response mode and switches (no arm yet, e.g. a preview without one: an advice arm)."""
    return questions.question_plan(
        mode=study.response_mode,
        gives_advice=arm is None or arm.gives_advice,
        ask_rating=study.ask_rating,
        ask_decision=study.ask_decision,
        ask_diagnosis=study.ask_diagnosis,
        ask_confidence=study.ask_confidence,
    )


def token_plausible(token: str) -> bool:
    """Whether a token from a URL could be one we issued: not empty, at most TOKEN_MAX long and
    without a NUL (PostgreSQL refuses NUL in text, so such a lookup would fail, not miss)."""
    return bool(token) and len(token) <= TOKEN_MAX and "\x00" not in token


def participant_by_token(*, token: str) -> Participant | None:
    """The participant behind an invitation token (with the study), or None."""
    if not token_plausible(token):
        return None
    return Participant.objects.select_related("study").filter(token=token).first()


def study_by_enrolment_token(*, token: str) -> Study | None:
    """The study whose open self-enrolment link has this token, or None."""
    if not token_plausible(token):
        return None
    return Study.objects.filter(self_enrolment_token=token).first()


def participant_by_external_id(*, study: Study, external_id: str) -> Participant | None:
    """The study's participant who came with this panel id (one at most), or None."""
    if not external_id:
        return None
    return (
        Participant.objects.select_related("study")
        .filter(study=study, external_id=external_id)
        .first()
    )


def participant_trial_at(*, participant: Participant, position: int) -> Trial | None:
    """The participant's trial at ``position`` (with its case), or None."""
    return participant.trials.select_related("case").filter(position=position).first()


@dataclass(frozen=True)
class CaseNumber:
    """A trial as the participant counts it: training cases first, then the test cases from 1."""

    training: bool
    number: int
    of: int


def trial_case_number(*, trial: Trial, total: int) -> CaseNumber:
    training_total = trial.participant.trials.filter(is_training=True).count()
    if trial.is_training:
        return CaseNumber(training=True, number=trial.position, of=training_total)
    return CaseNumber(
        training=False, number=trial.position - training_total, of=total - training_total
    )


def participant_progress_label(*, trial: Trial, total: int) -> str:
    """ "Training case 1 of 2" or "Case 3 of 8" (in the active language): test cases are
    counted after training."""
    case = trial_case_number(trial=trial, total=total)
    if case.training:
        return gettext("Training case %(position)s of %(total)s") % {
            "position": case.number,
            "total": case.of,
        }
    return gettext("Case %(position)s of %(total)s") % {"position": case.number, "total": case.of}


def participant_trial_count(*, participant: Participant) -> int:
    """How many trials the participant has, training cases included."""
    return participant.trials.count()


def participant_answered_trial(*, participant: Participant, position: int) -> Trial | None:
    """The participant's trial at ``position`` if its answer is stored, else None."""
    return participant.trials.filter(position=position, response__isnull=False).first()


class TrialProgress(TypedDict):
    """The progress bar of a trial page: the label names the case, the bar counts answers."""

    label: str  # "Case 4 of 8" (the position among test cases), as before
    answered: int  # trials answered so far, training cases included: the bar's value
    total: int  # every trial of the participant, training cases included: the bar's max
    text: str  # what the bar says to assistive technology: "3 of 8 cases answered"


def participant_progress(*, trial: Trial, total: int) -> TrialProgress:
    """The trial page's progress: its label, and answered / total for the bar (the position would
    overstate it: "Case 4 of 8" has 3 answered, and a training case shifts every position)."""
    answered = trial.participant.trials.filter(response__isnull=False).count()
    return {
        "label": participant_progress_label(trial=trial, total=total),
        "answered": answered,
        "total": total,
        "text": gettext("%(answered)s of %(total)s cases answered")
        % {"answered": answered, "total": total},
    }
