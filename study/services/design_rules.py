"""The study settings and the lock rule shared by the builder and design amendments.

Rule: after the first enrolment (``design_locked_at`` set) design fields never change and the
texts participants read change only by an amendment with a reason. Texts are compared and
stored in one spelling (study.core.design_document.text_normalise), so a form posted back
unchanged, with other line endings or another Unicode form, changes nothing.
"""

from typing import Any

from study.core import allocation, questions
from study.core.design_document import text_normalise
from study.models import Study

from .studies import StudyStateError

# Texts participants read: after the first enrolment they change only by an amendment.
TEXT_FIELDS = ("title", "description", "consent_text", "debrief_text")
REQUIRED_TEXTS = ("title", "consent_text", "debrief_text")  # a study cannot run without them
DESIGN_FIELDS = (
    "slug",
    "cases_per_participant",
    "inaccurate_per_participant",
    "annotated_per_participant",
    "order_policy",
    "read_then_reveal",
    "rating_scale_max",
    "confidence_scale_max",
    "block_multiplier",
    "seed",
    # Not hashed (a recruitment setting, design_document.EXCLUDED_SETTINGS), but it decides
    # which slot an enrolment takes, so it stays frozen with the allocation after the lock.
    "reissue_after_minutes",
    "stratify_by",
    "stratum_map",
    # What each trial asks and shows (study.core.questions) and the study's instruments
    # (study.core.instruments): all hashed with the design, all frozen at the lock.
    *questions.QUESTION_SETTINGS,
    "screening",
    "questionnaire_items",
)
EDITABLE_FIELDS = TEXT_FIELDS + DESIGN_FIELDS


def locked_refuse(*, study: Study, what: str, rule: str = "cannot change") -> None:
    """Raise StudyStateError, saying since when and under which hash, if the design is locked."""
    if study.design_locked_at is not None:
        raise StudyStateError(
            f"The design of study '{study.slug}' is locked since the first enrolment "
            f"({study.design_locked_at:%Y-%m-%d %H:%M} UTC, hash {study.design_hash[:12]}): "
            f"{what} {rule}."
        )


# Any: the settings differ in type (texts, counts, a seed, a flag, the stratum map).
def texts_normalised(*, fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` with each text setting in its one spelling; a value that is not a text, or an
    empty title, consent or debrief text, is refused with a message naming the field."""
    normalised = dict(fields)
    for name in TEXT_FIELDS:
        if name in normalised:
            value = normalised[name]
            if not isinstance(value, str):
                raise allocation.DesignError(f"{name}: must be a text, got {value!r}")
            normalised[name] = text_normalise(value)
            if name in REQUIRED_TEXTS and not normalised[name]:
                raise allocation.DesignError(f"{name}: must not be empty")
    return normalised


# Any: as above.
def settings_changes(
    *, study: Study, fields: dict[str, Any], caller: str
) -> tuple[dict[str, Any], list[str]]:
    """The settings normalised, and the sorted names of those that differ from the study's.

    A stored text is compared in its normalised spelling too: a text stored before texts were
    normalised does not count as changed when it comes back with other line endings."""
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise TypeError(f"{caller}: not a study setting: {', '.join(unknown)}")
    fields = texts_normalised(fields=fields)

    def stored(name: str) -> Any:  # Any: the setting's own type
        value = getattr(study, name)
        return text_normalise(value) if name in TEXT_FIELDS else value

    return fields, sorted(name for name, value in fields.items() if stored(name) != value)
