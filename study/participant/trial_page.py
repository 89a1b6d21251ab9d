"""The trial page and the training feedback page as one definition for the participant's own
pages and the researchers' preview: which form a trial shows (its question plan, or the unaided
read before a reveal) and what the template reads (advice card or none, displayed confidence,
example strip of a global-explanation arm)."""

from collections.abc import Callable

from study.core.questions import QuestionPlan
from study.models import Response, Study
from study.selectors.cases import example_image_names

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
) -> dict:
    """What trial.html reads. A no-advice control arm gets no advice, label or examples at all,
    so nothing of it can reach the page."""
    advice_visible = plan.advice and not pending
    advice = trial.advice if plan.advice else None
    examples = []
    if advice_visible and arm is not None and arm.explanation == "global":
        names = example_image_names(study=study, diagnosis=advice.diagnosis)
        examples = [
            {
                "src": example_url(example["preview"]),
                "width": example["width"],
                "height": example["height"],
                "alt": f"Example image {number} of {len(names)}",
            }
            for number, example in enumerate(names, start=1)
        ]
    return {
        "trial": trial,
        "case": trial.case,
        "advice": advice,
        "arm": arm,
        "plan": plan,
        "form": form,
        "reveal_pending": pending,
        "advice_visible": advice_visible,
        "advised_label": dict(diagnoses).get(advice.diagnosis, advice.diagnosis) if advice else "",
        "examples": examples,
    }


def answer_rows(*, response: Response | None, diagnoses) -> list[tuple[str, str]]:
    """The participant's own answer on a feedback page, as (question, answer) rows: only what
    the trial asked (a question not asked is stored empty)."""
    if response is None:
        return []
    label_of = dict(diagnoses)
    rows = []
    if response.final_diagnosis:
        question = "Your category" if response.response_mode == "category" else "Your diagnosis"
        rows.append((question, label_of.get(response.final_diagnosis, response.final_diagnosis)))
    if response.agreed is not None:
        rows.append(
            (
                "Your decision",
                "You agreed with the advice"
                if response.agreed
                else "You disagreed with the advice",
            )
        )
    if response.decision:
        rows.append(("What you did with the advice", response.get_decision_display()))
    if response.confidence is not None:
        rows.append(
            ("Your confidence", f"{response.confidence} of {response.confidence_scale_max}")
        )
    return rows
