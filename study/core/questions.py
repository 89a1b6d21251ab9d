"""What a trial asks: the one rule from a study's response mode, its switched-on questions and
the arm (advice or no-advice control) to the questions on the page, the answer the service
accepts and the export columns that hold a value.

Rule: pure Python. Response modes (DESIGN.md section 1):

- ``gaube``: advice quality rating, accept / slightly modify / reject, final diagnosis,
  confidence; each switchable.
- ``agree_disagree`` (simple trust): an agree and a disagree button; the click submits, and the
  time from the advice shown to it is the decision time. The rating and confidence may be
  switched on (asked on the same page, before the buttons); decision and diagnosis are not asked.
- ``category``: one category from the study's list (its diagnosis options, in order, e.g.
  BI-RADS 1-5) as the final read, with optional confidence, rating and decision.

A no-advice control arm shows no advice, so it asks neither rating nor decision nor agreement:
only the diagnosis (or category) and, if switched on, the confidence.
"""

from __future__ import annotations

from dataclasses import dataclass

RESPONSE_MODES = ("gaube", "agree_disagree", "category")
# The Study settings that decide what each case asks and shows, in the builder's order: the
# one list the design rules (frozen at the lock), the design document (hashed), the builder's
# fieldset and the API take them from.
QUESTION_SETTINGS = (
    "response_mode",
    "ask_rating",
    "ask_decision",
    "ask_diagnosis",
    "ask_confidence",
    "rating_anchor_low",
    "rating_anchor_high",
    "confidence_anchor_low",
    "confidence_anchor_high",
    "confidence_display",
    "training_feedback",
)


class QuestionsError(ValueError):
    """A response mode and switches that would ask nothing; the message says what to switch on."""


@dataclass(frozen=True)
class QuestionPlan:
    mode: str
    advice: bool  # the advice is shown (False: a no-advice control arm)
    rating: bool  # advice quality rating
    decision: bool  # accept / modify / reject
    agree: bool  # agree / disagree buttons (their click submits)
    diagnosis: bool  # final diagnosis, or the category of a category read
    confidence: bool

    @property
    def asks(self) -> tuple[str, ...]:
        """The answer fields this plan asks, in page order."""
        names = ("rating", "decision", "diagnosis", "confidence", "agree")
        fields = {
            "rating": "advice_rating",
            "decision": "decision",
            "diagnosis": "final_diagnosis",
            "confidence": "confidence",
            "agree": "agreed",
        }
        return tuple(fields[name] for name in names if getattr(self, name))


def question_plan(
    *,
    mode: str,
    gives_advice: bool,
    ask_rating: bool = True,
    ask_decision: bool = True,
    ask_diagnosis: bool = True,
    ask_confidence: bool = True,
) -> QuestionPlan:
    """The questions of one trial. Raises QuestionsError for an unknown mode."""
    if mode not in RESPONSE_MODES:
        raise QuestionsError(f"response_mode {mode!r} must be one of {', '.join(RESPONSE_MODES)}")
    if not gives_advice:
        return QuestionPlan(mode, False, False, False, False, True, ask_confidence)
    if mode == "agree_disagree":
        return QuestionPlan(mode, True, ask_rating, False, True, False, ask_confidence)
    if mode == "category":
        return QuestionPlan(mode, True, ask_rating, ask_decision, False, True, ask_confidence)
    return QuestionPlan(mode, True, ask_rating, ask_decision, False, ask_diagnosis, ask_confidence)


def questions_validate(
    *,
    mode: str,
    ask_rating: bool,
    ask_decision: bool,
    ask_diagnosis: bool,
    ask_confidence: bool,
) -> None:
    """Refuse a Gaube form with every question switched off (its trials would ask nothing)."""
    question_plan(mode=mode, gives_advice=True)  # the mode itself
    if mode == "gaube" and not (ask_rating or ask_decision or ask_diagnosis or ask_confidence):
        raise QuestionsError(
            "response_mode: a Gaube form with every question switched off asks nothing; switch "
            "on at least one of rating, decision, diagnosis and confidence"
        )


def confidence_shown(*, display: str, advice_source: str, has_confidence: bool) -> bool:
    """Whether an advice's displayed confidence is shown: the study's ``confidence_display``
    (``ai``: with AI-labelled advice only, the default; ``all``; ``none``), never without a
    value and never in a no-advice arm."""
    if not has_confidence or advice_source == "none":
        return False
    return display == "all" or (display == "ai" and advice_source == "ai")


def annotation_drawn(*, allocated: bool, explanation: str, has_annotation: bool) -> bool:
    """Whether a trial's advice annotation is drawn on the image: the allocation chose the trial
    for an annotation, the arm's explanation is local, and the advice has one."""
    return allocated and explanation == "local" and has_annotation
