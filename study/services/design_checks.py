"""Design checks that need the study's rows but belong to no single write: the questions and
instruments (while a study is built and when it opens) and what each arm's explanation needs.

Rule: each check raises allocation.DesignError whose message starts with the setting at fault,
so the builder's form shows it at that field (console.forms.add_service_error)."""

from study.core import allocation, instruments, questions
from study.models import Advice, Arm, Study

_ANCHORS = (
    "rating_anchor_low",
    "rating_anchor_high",
    "confidence_anchor_low",
    "confidence_anchor_high",
)


def instruments_check(*, study: Study) -> None:
    """The response mode and its questions, the scale anchors and the instruments (screening,
    questionnaire) as the participant pages will use them."""
    try:
        questions.questions_validate(
            mode=study.response_mode,
            ask_rating=study.ask_rating,
            ask_decision=study.ask_decision,
            ask_diagnosis=study.ask_diagnosis,
            ask_confidence=study.ask_confidence,
        )
    except questions.QuestionsError as error:
        raise allocation.DesignError(str(error)) from error
    if study.confidence_display not in Study.ConfidenceDisplay.values:
        raise allocation.DesignError(
            f"confidence_display ({study.confidence_display!r}) must be one of "
            f"{', '.join(Study.ConfidenceDisplay.values)}"
        )
    for name in _ANCHORS:
        value = getattr(study, name)
        limit = Study._meta.get_field(name).max_length
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            raise allocation.DesignError(
                f"{name}: the words at the end of a scale must be 1 to {limit} characters"
            )
    try:
        instruments.screening_parse(study.screening)
    except instruments.InstrumentError as error:
        raise allocation.DesignError(f"screening: {error}") from error
    try:
        instruments.questionnaire_parse(study.questionnaire_items)
    except instruments.InstrumentError as error:
        raise allocation.DesignError(f"questionnaire_items: {error}") from error


def explanations_check(*, study: Study) -> None:
    """Annotations are drawn only in local-explanation arms: a study that allocates annotations
    but has arms and none of them local would never show one."""
    if study.annotated_per_participant <= 0:
        return
    explanations = set(study.arms.values_list("explanation", flat=True))
    if explanations and Arm.Explanation.LOCAL not in explanations:
        raise allocation.DesignError(
            f"annotated_per_participant ({study.annotated_per_participant}): annotations are "
            "drawn only in arms with a local explanation, and no arm has one; give an arm the "
            "local explanation or set this to 0"
        )


def open_checks(*, study: Study) -> None:
    """What a study needs before anyone can enrol, beyond the allocation: valid questions and
    instruments, diagnoses to choose from, and example images for every diagnosis the advice of
    a global-explanation arm can suggest."""
    instruments_check(study=study)
    explanations_check(study=study)
    diagnoses = study.diagnoses.count()
    if diagnoses < 2:
        raise allocation.DesignError(
            f"diagnoses: the study has {diagnoses} diagnosis option(s); participants choose "
            "among at least 2 (a category read: its categories, e.g. BI-RADS 1 to 5)"
        )
    if study.arms.filter(explanation=Arm.Explanation.GLOBAL).exists():
        advised = set(Advice.objects.filter(case__study=study).values_list("diagnosis", flat=True))
        covered = set(study.examples.values_list("diagnosis", flat=True))
        missing = sorted(advised - covered)
        if missing:
            raise allocation.DesignError(
                "examples: an arm shows example images of the suggested diagnosis (a global "
                "explanation), but the example library has none for: " + ", ".join(missing)
            )
