"""Languages: the study's language, its texts in further languages, and the language a
participant reads.

Rule: translations change what participants see, so they are part of the design (hashed with
it, services.design_versions) and change only while the design is a draft, like the texts they
translate; each save is one transaction and one audit event naming what changed. A
participant's language is recorded at their first page and exported with their answers.
"""

from typing import Any

from django.db import transaction

from study.core import translations as core
from study.models import Advice, Case, Participant, Study
from study.selectors.texts import site_languages, study_codes, study_languages

from .audit import Actor, audit_record
from .design_rules import locked_refuse

# The case texts a translation page gives per case, and where each is stored.
CASE_FIELDS = ("vignette", "feedback", "accurate_findings", "inaccurate_findings")


@transaction.atomic
def participant_language_set(*, participant: Participant, language: str) -> Participant:
    """Record the language the participant reads; a language the study does not offer is
    ignored (the participant keeps the one they have)."""
    if language not in study_languages(study=participant.study):
        return participant
    if participant.language != language:
        Participant.objects.filter(pk=participant.pk).update(language=language)
        participant.language = language
    return participant


@transaction.atomic
def study_language_set(*, study: Study, actor: Actor, language: str) -> Study:
    """The language of the study's own texts and of its participant pages by default."""
    study = Study.objects.select_for_update().get(pk=study.pk)
    if language not in site_languages():
        raise core.TranslationError(
            f"not a language of this site (known: {', '.join(site_languages())})",
            key="language",
        )
    if language == study.language:
        return study
    locked_refuse(study=study, what="the study's language")
    if language in (study.translations or {}):
        raise core.TranslationError(
            f"the study has translations into {language}; its own texts and those would be "
            "the same language. Clear that translation first, or write the study's own texts "
            "in it.",
            key="language",
        )
    previous = study.language
    study.language = language
    study.save(update_fields=["language"])
    audit_record(
        action="study.language",
        study=study,
        actor=actor,
        detail={"language": language, "previous": previous},
    )
    return study


def _flat(data: object, prefix: str = "") -> dict[str, object]:
    """Nested translations as {"arms.ai.label": text}: what an audit event lists as changed."""
    if isinstance(data, dict):
        flat: dict[str, object] = {}
        for key, value in data.items():
            flat.update(_flat(value, f"{prefix}.{key}" if prefix else key))
        return flat
    return {prefix: data}


def _changed(before: object, after: object) -> list[str]:
    old, new = _flat(before), _flat(after)
    return sorted(key for key in set(old) | set(new) if old.get(key) != new.get(key))


# Any: a translation is nested JSON of texts (study texts, arms, items...).
@transaction.atomic
def study_translation_save(
    *,
    study: Study,
    actor: Actor,
    language: str,
    texts: dict[str, Any],
    cases: dict[str, dict[str, str]],
) -> list[str]:
    """Replace the study's translation into ``language``: ``texts`` is its entry of
    Study.translations (study.core.translations), ``cases`` maps each case code to its
    vignette, feedback and both advice findings (CASE_FIELDS; empty: not translated).
    Returns what changed (also the audit event's ``fields``); nothing changed, nothing written."""
    study = Study.objects.select_for_update().get(pk=study.pk)
    locked_refuse(study=study, what="translations")
    translations = dict(study.translations or {})
    translations[language] = texts
    checked = core.study_translations_check(
        translations,
        languages=site_languages(),
        base=study.language,
        codes=study_codes(study=study),
    )
    changed = _changed((study.translations or {}).get(language, {}), checked.get(language, {}))
    rows = {case.code: case for case in study.cases.prefetch_related("advice")}
    unknown = sorted(set(cases) - set(rows))
    if unknown:
        raise core.TranslationError("not a case of this study", key=f"cases.{unknown[0]}")
    for code, given in sorted(cases.items()):
        case = rows[code]
        extra = sorted(set(given) - set(CASE_FIELDS))
        if extra:
            raise core.TranslationError(
                f"not a case text (known: {', '.join(CASE_FIELDS)})", key=f"cases.{code}.{extra[0]}"
            )
        case_texts = {name: given.get(name, "") for name in ("vignette", "feedback")}
        changed += _row_save(
            case, study.language, language, case_texts, core.CASE_TEXTS, f"cases.{code}.{{}}"
        )
        for advice in case.advice.all():
            name = f"{advice.variant}_findings"
            changed += _row_save(
                advice,
                study.language,
                language,
                {"findings": given.get(name, "")},
                core.ADVICE_TEXTS,
                f"cases.{code}.{advice.variant}_{{}}",
            )
    if checked != (study.translations or {}):
        study.translations = checked
        study.save(update_fields=["translations"])
    if changed:
        audit_record(
            action="study.translations",
            study=study,
            actor=actor,
            detail={"language": language, "fields": changed},
        )
    return changed


def _row_save(
    row: Case | Advice,
    base: str,
    language: str,
    texts: dict[str, str],
    limits: dict[str, int | None],
    key: str,
) -> list[str]:
    """One case's or advice's texts in ``language``, checked and stored; what changed, named
    by ``key`` with the text put in ("cases.c01.{}")."""
    translations = dict(row.translations or {})
    translations[language] = texts
    try:
        checked = core.row_translations_check(
            translations, languages=site_languages(), base=base, limits=limits
        )
    except core.TranslationError as error:
        text = error.key.split(".", 1)[-1]  # "de.vignette": the text, under the case's key
        raise core.TranslationError(str(error).split(": ", 1)[-1], key=key.format(text)) from None
    before = (row.translations or {}).get(language, {})
    changed = [key.format(name) for name in _changed(before, checked.get(language, {}))]
    if checked != (row.translations or {}):
        row.translations = checked
        row.save(update_fields=["translations"])
    return changed
