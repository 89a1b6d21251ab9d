"""The trial page and the training feedback page as one definition for the participant's own
pages and the researchers' preview: which form a trial shows (its question plan, or the unaided
read before a reveal) and what the template reads (advice card or none, displayed confidence,
example strip of a global-explanation arm)."""

import copy
import dataclasses
from collections.abc import Callable

from django.utils.translation import gettext as _

from study.core.questions import QuestionPlan
from study.models import Response, Study
from study.selectors.cases import example_image_names
from study.selectors.texts import advice_in, arm_in, case_in

from . import forms

# The example strip's image URL for a public example name (the participant's or the preview's).
ExampleUrl = Callable[[str], str]


def reveal_pending(*, study: Study, plan: QuestionPlan, revealed: bool) -> bool:
    """Read-then-reveal: the unaided read comes first, before any advice (a no-advice control arm
    has none to reveal, so its trial asks its questions at once)."""
    return study.read_then_reveal and plan.advice and not revealed


def trial_form(data, *, study: Study, plan: QuestionPlan, pending: bool, diagnoses):
    if pending:
        return forms.UnaidedReadForm(data, diagnoses=diagnoses, study=study)
    return forms.TrialForm(data, plan=plan, study=study, diagnoses=diagnoses)


def trial_context(
    *,
    study: Study,
    trial,
    arm,
    plan: QuestionPlan,
    form,
    pending: bool,
    diagnoses,
    example_url: ExampleUrl,
    language: str,
) -> dict:
    """What trial.html reads, its texts in ``language``. A no-advice control arm gets no
    advice, label or examples at all, so nothing of it can reach the page; the arm's label and
    persona are only the participant's own arm's."""
    advice_visible = plan.advice and not pending
    advice = advice_in(advice=trial.advice, language=language) if plan.advice else None
    shown_arm = arm_in(arm=arm, study=study, language=language)
    if shown_arm is not arm and trial.source_label:
        # The label stored at enrolment is the arm's own (the design is locked then): shown in
        # the page's language like the rest of the arm's texts.
        trial = _with_source_label(trial, shown_arm)
    examples = []
    if advice_visible and arm is not None and arm.explanation == "global":
        names = example_image_names(study=study, diagnosis=advice.diagnosis)
        examples = [
            {
                "src": example_url(example["preview"]),
                "width": example["width"],
                "height": example["height"],
                "alt": _("Example image %(number)s of %(total)s")
                % {"number": number, "total": len(names)},
            }
            for number, example in enumerate(names, start=1)
        ]
    return {
        "trial": trial,
        "case": case_in(case=trial.case, language=language),
        "advice": advice,
        "arm": shown_arm,
        "plan": plan,
        "form": form,
        "reveal_pending": pending,
        "advice_visible": advice_visible,
        "advised_label": dict(diagnoses).get(advice.diagnosis, advice.diagnosis) if advice else "",
        "examples": examples,
    }


def _with_source_label(trial, arm):
    """A copy of the trial (a stored Trial, or the preview's) showing ``arm``'s label, in the
    page's language, as its source."""
    if dataclasses.is_dataclass(trial):
        return dataclasses.replace(trial, arm=arm)  # the preview's label is its arm's
    shown = copy.copy(trial)
    shown.source_label = arm.label
    return shown


def decision_label(code: str) -> str:
    """The participant's words for a stored decision (Response.Decision), in the page's
    language."""
    return str(forms.DECISION_LABELS.get(code, code))


def answer_rows(*, response: Response | None, diagnoses) -> list[tuple[str, str]]:
    """The participant's own answer on a feedback page, as (question, answer) rows: only what
    the trial asked (a question not asked is stored empty)."""
    if response is None:
        return []
    label_of = dict(diagnoses)
    rows = []
    if response.final_diagnosis:
        question = (
            _("Your category") if response.response_mode == "category" else _("Your diagnosis")
        )
        rows.append((question, label_of.get(response.final_diagnosis, response.final_diagnosis)))
    if response.agreed is not None:
        rows.append(
            (
                _("Your decision"),
                _("You agreed with the advice")
                if response.agreed
                else _("You disagreed with the advice"),
            )
        )
    if response.decision:
        rows.append((_("What you did with the advice"), decision_label(response.decision)))
    if response.confidence is not None:
        rows.append(
            (
                _("Your confidence"),
                _("%(value)s of %(maximum)s")
                % {"value": response.confidence, "maximum": response.confidence_scale_max},
            )
        )
    return rows
