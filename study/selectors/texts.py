"""The participant pages' texts in the participant's language: which languages a study offers,
which one a participant reads, and the study, arm, case, advice and diagnosis texts in it
(study.core.translations: a missing translation falls back to the study's own text).

The objects returned for a page are unsaved copies carrying the translated texts: they are for
templates and forms to read, never for a service to write (services take the stored rows)."""

import copy
from dataclasses import dataclass

from django.conf import settings

from study.core import instruments
from study.core.translations import STUDY_TEXTS as TRANSLATED_STUDY_TEXTS
from study.core.translations import (
    StudyCodes,
    questionnaire_in,
    screening_in,
    text_in,
)
from study.models import Advice, Arm, Case, Participant, Study


def site_languages() -> tuple[str, ...]:
    """The language codes participant pages can be shown in (settings.LANGUAGES)."""
    return tuple(code for code, _name in settings.LANGUAGES)


def study_languages(*, study: Study) -> list[str]:
    """The study's own language first, then each language its translations give."""
    offered = [study.language] if study.language in site_languages() else []
    translated = study.translations if isinstance(study.translations, dict) else {}
    offered += sorted(
        code for code in translated if code in site_languages() and code not in offered
    )
    return offered or [settings.LANGUAGE_CODE]


def language_requested(*, study: Study, requested: object) -> str | None:
    """``requested`` (e.g. a link's ``?lang=``) when the study offers it, else None: an unknown
    or malformed value is ignored, never an error."""
    if isinstance(requested, str) and requested in study_languages(study=study):
        return requested
    return None


def participant_language(*, participant: Participant) -> str:
    """The language a participant reads: the one recorded for them, else the study's."""
    study = participant.study
    if participant.language and participant.language in study_languages(study=study):
        return participant.language
    return study_languages(study=study)[0]


def study_codes(*, study: Study) -> StudyCodes:
    """What the study's translations may name (study.core.translations.study_translations_check)."""
    try:
        screening = instruments.screening_parse(study.screening)
        screening_codes = {
            name: [code for code, _label in getattr(screening, name)]
            for name in instruments.SCREENING_LISTS
        }
    except instruments.InstrumentError:
        screening_codes = {}
    try:
        items = instruments.questionnaire_parse(study.questionnaire_items)
    except instruments.InstrumentError:
        items = ()
    return StudyCodes(
        arms=list(study.arms.values_list("code", flat=True)),
        diagnoses=list(study.diagnoses.values_list("code", flat=True)),
        screening=screening_codes,
        items={
            item.code: ([code for code, _label in item.choices], item.type == "likert")
            for item in items
        },
    )


def study_in(*, study: Study, language: str) -> Study:
    """The study as its pages show it in ``language``: title, description, consent, debrief,
    scale anchors, screening labels and questionnaire wording translated where given."""
    if language == study.language or language not in (study.translations or {}):
        return study
    shown = copy.copy(study)
    for name in TRANSLATED_STUDY_TEXTS:
        setattr(shown, name, text_in(study.translations, language, name, getattr(study, name)))
    if isinstance(study.screening, dict):
        shown.screening = screening_in(study.screening, study.translations, language)
    if isinstance(study.questionnaire_items, list):
        shown.questionnaire_items = questionnaire_in(
            study.questionnaire_items, study.translations, language
        )
    return shown


def arm_in(*, arm: Arm | None, study: Study, language: str) -> Arm | None:
    """The participant's own arm with its label and persona in ``language`` (only this arm:
    a page never names another)."""
    if arm is None or language == study.language:
        return arm
    shown = copy.copy(arm)
    shown.label = text_in(study.translations, language, ("arms", arm.code, "label"), arm.label)
    shown.persona = text_in(
        study.translations, language, ("arms", arm.code, "persona"), arm.persona
    )
    return shown


def case_in(*, case: Case, language: str) -> Case:
    """The case with its vignette and feedback in ``language``."""
    if language not in (case.translations or {}):
        return case
    shown = copy.copy(case)
    shown.vignette = text_in(case.translations, language, "vignette", case.vignette)
    shown.feedback = text_in(case.translations, language, "feedback", case.feedback)
    return shown


def advice_in(*, advice: Advice | None, language: str) -> Advice | None:
    """The advice with its findings in ``language``."""
    if advice is None or language not in (advice.translations or {}):
        return advice
    shown = copy.copy(advice)
    shown.findings = text_in(advice.translations, language, "findings", advice.findings)
    return shown


def diagnoses_in(*, study: Study, language: str) -> list[tuple[str, str]]:
    """(code, label) of the study's diagnosis options in their order, labels in ``language``."""
    return [
        (code, text_in(study.translations, language, ("diagnoses", code), label))
        for code, label in study.diagnoses.values_list("code", "label")
    ]


@dataclass(frozen=True)
class TranslationSources:
    """What a translation page translates: the study's arms, diagnosis options (code, label)
    and cases with their advice by variant, in the order the builder lists them."""

    arms: list[Arm]
    diagnoses: list[tuple[str, str]]
    cases: list[tuple[Case, dict[str, Advice]]]


def study_translation_sources(*, study: Study) -> TranslationSources:
    cases = study.cases.prefetch_related("advice").order_by("is_training", "position", "code")
    return TranslationSources(
        arms=list(study.arms.order_by("code")),
        diagnoses=list(study.diagnoses.values_list("code", "label")),
        cases=[(case, {a.variant: a for a in case.advice.all()}) for case in cases],
    )
