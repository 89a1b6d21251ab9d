"""Reads for the console's participant preview: the conditions a study can show (arms, cases,
advice variants) and one trial as a participant in that condition would see it, built in memory
(a PreviewTrial), never stored."""

from dataclasses import dataclass

from study.core import questions
from study.models import Advice, Arm, Case, Study


@dataclass(frozen=True)
class PreviewTrial:
    """What the trial page reads of a trial, for a condition chosen in the console."""

    case: Case
    advice: Advice
    arm: Arm
    position: int
    total: int
    annotation_shown: bool
    confidence_shown: bool

    @property
    def source_label(self) -> str:
        # As enrolment stores it: a no-advice control arm names no source.
        return self.arm.label if self.arm.gives_advice else ""

    @property
    def is_training(self) -> bool:
        return self.case.is_training


@dataclass(frozen=True)
class PreviewChoices:
    arms: list[tuple[str, str]]  # (code, "code: label")
    cases: list[tuple[str, str]]  # (code, "code (training)")


def preview_choices(*, study: Study) -> PreviewChoices:
    return PreviewChoices(
        arms=[(arm.code, f"{arm.code}: {arm.label}") for arm in study.arms.order_by("code")],
        cases=[
            (case.code, f"{case.code}{' (training)' if case.is_training else ''}")
            for case in study.cases.order_by("is_training", "position", "code")
        ],
    )


def preview_trial(
    *, study: Study, arm: str, case: str, variant: str, annotated: bool
) -> PreviewTrial | None:
    """The trial of ``case`` with its ``variant`` advice under ``arm``; None if any is unknown."""
    found_arm = study.arms.filter(code=arm).first()
    found_case = study.cases.filter(code=case).first()
    if found_arm is None or found_case is None:
        return None
    advice = found_case.advice.filter(variant=variant).first()
    if advice is None:
        return None
    cases = list(
        study.cases.order_by("is_training", "position", "code").values_list("code", flat=True)
    )
    return PreviewTrial(
        case=found_case,
        advice=advice,
        arm=found_arm,
        position=cases.index(found_case.code) + 1,
        total=len(cases),
        # The rules enrolment applies (study.core.questions): an annotation is drawn only in a
        # local-explanation arm, the confidence only where the study's display rule says.
        annotation_shown=questions.annotation_drawn(
            allocated=annotated,
            explanation=found_arm.explanation,
            has_annotation=advice.annotation is not None,
        ),
        confidence_shown=questions.confidence_shown(
            display=study.confidence_display,
            advice_source=found_arm.advice_source,
            has_confidence=advice.displayed_confidence is not None,
        ),
    )
