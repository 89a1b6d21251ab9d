"""A study's texts in further languages: their shape, their check and the one lookup with its
fallback (pure, no Django).

Rule: the study's own fields hold its texts in ``Study.language``; ``translations`` hold the same
texts in other languages, by language code, and a text missing there falls back to the study's
own (``text_in``). Codes never change with the language, only what is shown for them:

- Study.translations: ``{lang: {"title", "description", "consent_text", "debrief_text",
  "rating_anchor_low", ..., "arms": {arm: {"label", "persona"}}, "diagnoses": {code: label},
  "screening": {list: {code: label}}, "questionnaire": {item: {"wording", "anchors": [low,
  high], "choices": {code: label}}}}}``
- Case.translations: ``{lang: {"vignette", "feedback"}}``; Advice.translations:
  ``{lang: {"findings"}}``.

The check refuses a wrong shape, an unknown language or code and a text too long, with a
TranslationError naming the key (``de.arms.ai.label: ...``); it returns the translations with
every text normalised and empty texts left out, so an empty field means "not translated".
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from .design_document import text_normalise

# The study's own texts that a translation may give, with their stored length limits.
STUDY_TEXTS: dict[str, int | None] = {
    "title": 200,
    "description": None,
    "consent_text": None,
    "debrief_text": None,
    "rating_anchor_low": 60,
    "rating_anchor_high": 60,
    "confidence_anchor_low": 60,
    "confidence_anchor_high": 60,
}
ARM_TEXTS: dict[str, int | None] = {"label": 100, "persona": 2000}
DIAGNOSIS_MAX = 120
OPTION_MAX = 200  # instruments.LABEL_MAX
WORDING_MAX = 1000  # instruments.WORDING_MAX
CASE_TEXTS: dict[str, int | None] = {"vignette": 20000, "feedback": 4000}
ADVICE_TEXTS: dict[str, int | None] = {"findings": 20000}

Path = str | tuple[str, ...]


class TranslationError(ValueError):
    """Translations that cannot be stored; ``key`` is where (``de.arms.ai.label``)."""

    def __init__(self, message: str, *, key: str):
        super().__init__(f"{key}: {message}")
        self.key = key


@dataclass(frozen=True)
class StudyCodes:
    """What a study's translations may name: its arms, diagnoses, screening options and
    questionnaire items (item code -> (choice codes, has anchors))."""

    arms: Collection[str] = ()
    diagnoses: Collection[str] = ()
    screening: Mapping[str, Collection[str]] = field(default_factory=dict)
    items: Mapping[str, tuple[Collection[str], bool]] = field(default_factory=dict)


def text_in(translations: object, language: str, path: Path, default: str) -> str:
    """The text at ``path`` of ``translations[language]``, or ``default`` when that language or
    text is not given (or empty): the fallback to the study's own text."""
    keys = (path,) if isinstance(path, str) else path
    node: object = translations.get(language) if isinstance(translations, Mapping) else None
    for key in keys:
        if not isinstance(node, Mapping):
            return default
        node = node.get(key)
    return node if isinstance(node, str) and node else default


def _mapping(value: object, key: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TranslationError(f"expected an object, got {type(value).__name__}", key=key)
    return value


def _text(value: object, key: str, max_length: int | None) -> str:
    if not isinstance(value, str):
        raise TranslationError(f"expected a text, got {type(value).__name__}", key=key)
    text = text_normalise(value)
    if max_length is not None and len(text) > max_length:
        raise TranslationError(
            f"at most {max_length} characters (this one has {len(text)})", key=key
        )
    return text


def _texts(raw: object, key: str, limits: Mapping[str, int | None]) -> dict[str, str]:
    """The known texts of one object, normalised, the empty ones left out."""
    texts = {}
    for name, value in _mapping(raw, key).items():
        if name not in limits:
            raise TranslationError(
                f"not a translatable text (known: {', '.join(limits)})", key=f"{key}.{name}"
            )
        text = _text(value, f"{key}.{name}", limits[name])
        if text:
            texts[name] = text
    return texts


def _labels(raw: object, key: str, codes: Collection[str], what: str, limit: int) -> dict:
    labels = {}
    for code, value in _mapping(raw, key).items():
        if code not in codes:
            known = ", ".join(sorted(codes)) or "none"
            raise TranslationError(
                f"not {what} of this study (known: {known})", key=f"{key}.{code}"
            )
        text = _text(value, f"{key}.{code}", limit)
        if text:
            labels[code] = text
    return labels


def _languages_check(raw: object, *, key: str, languages: Collection[str], base: str | None):
    for language in _mapping(raw, key):
        where = f"{key}.{language}" if key != "translations" else language
        if language not in languages:
            raise TranslationError(
                f"not a language of this site (known: {', '.join(sorted(languages))})", key=where
            )
        if language == base:
            raise TranslationError(
                "the study's own language: its texts are the study's own, not a translation",
                key=where,
            )


def _pruned(data: dict) -> dict:
    return {name: value for name, value in data.items() if value not in ({}, "", [])}


def study_translations_check(
    raw: object, *, languages: Collection[str], base: str, codes: StudyCodes
) -> dict[str, dict]:
    """Study.translations checked against the site's ``languages``, the study's own language
    ``base`` (never a translation of itself) and the codes it may name."""
    if raw in (None, ""):
        return {}
    _languages_check(raw, key="translations", languages=languages, base=base)
    checked: dict[str, dict] = {}
    for language, entry in _mapping(raw, "translations").items():
        entry = _mapping(entry, language)
        nested = {"arms", "diagnoses", "screening", "questionnaire"}
        plain = {name: value for name, value in entry.items() if name not in nested}
        result: dict[str, Any] = _texts(plain, language, STUDY_TEXTS)
        arms = {}
        for arm, texts in _mapping(entry.get("arms", {}), f"{language}.arms").items():
            if arm not in codes.arms:
                known = ", ".join(sorted(codes.arms)) or "none"
                raise TranslationError(
                    f"not an arm of this study (known: {known})", key=f"{language}.arms.{arm}"
                )
            arms[arm] = _texts(texts, f"{language}.arms.{arm}", ARM_TEXTS)
        result["arms"] = _pruned(arms)
        result["diagnoses"] = _labels(
            entry.get("diagnoses", {}),
            f"{language}.diagnoses",
            codes.diagnoses,
            "a diagnosis",
            DIAGNOSIS_MAX,
        )
        screening = {}
        for name, labels in _mapping(entry.get("screening", {}), f"{language}.screening").items():
            key = f"{language}.screening.{name}"
            if name not in codes.screening:
                raise TranslationError(
                    f"not a screening list (known: {', '.join(codes.screening)})", key=key
                )
            screening[name] = _labels(labels, key, codes.screening[name], "an option", OPTION_MAX)
        result["screening"] = _pruned(screening)
        items = {}
        raw_items = _mapping(entry.get("questionnaire", {}), f"{language}.questionnaire")
        for code, texts in raw_items.items():
            items[code] = _item(texts, f"{language}.questionnaire.{code}", code, codes)
        result["questionnaire"] = _pruned(items)
        checked[language] = _pruned(result)
    return _pruned(checked)


def _item(raw: object, key: str, code: str, codes: StudyCodes) -> dict:
    if code not in codes.items:
        known = ", ".join(codes.items) or "none"
        raise TranslationError(
            f"not an item of this study's questionnaire (known: {known})", key=key
        )
    choice_codes, has_anchors = codes.items[code]
    item: dict[str, Any] = {}
    for name, value in _mapping(raw, key).items():
        if name == "wording":
            item["wording"] = _text(value, f"{key}.wording", WORDING_MAX)
        elif name == "choices":
            item["choices"] = _labels(value, f"{key}.choices", choice_codes, "a choice", OPTION_MAX)
        elif name == "anchors":
            if not has_anchors:
                raise TranslationError("only a Likert item has anchors", key=f"{key}.anchors")
            if not isinstance(value, list | tuple) or len(value) != 2:
                raise TranslationError("give two anchors, low and high", key=f"{key}.anchors")
            low, high = (_text(v, f"{key}.anchors", OPTION_MAX) for v in value)
            if bool(low) != bool(high):
                raise TranslationError(
                    "give both anchors, or neither (the item's own are shown)",
                    key=f"{key}.anchors",
                )
            item["anchors"] = [low, high] if low else []
        else:
            raise TranslationError(
                "not a translatable text (known: wording, choices, anchors)", key=f"{key}.{name}"
            )
    return _pruned(item)


def row_translations_check(
    raw: object, *, languages: Collection[str], base: str, limits: Mapping[str, int | None]
) -> dict[str, dict]:
    """Case.translations (limits CASE_TEXTS) or Advice.translations (ADVICE_TEXTS)."""
    if raw in (None, ""):
        return {}
    _languages_check(raw, key="translations", languages=languages, base=base)
    return _pruned(
        {
            language: _texts(texts, language, limits)
            for language, texts in _mapping(raw, "translations").items()
        }
    )


# Any: the stored instruments are JSON of mixed values (codes, texts, numbers, flags).
def screening_in(screening: Mapping[str, Any], translations: object, language: str) -> dict:
    """A study's screening JSON with the option labels in ``language`` (codes unchanged)."""
    return {
        name: [
            [code, text_in(translations, language, ("screening", name, code), label)]
            for code, label in rows
        ]
        for name, rows in screening.items()
    }


# Any: as above.
def questionnaire_in(items: list[dict[str, Any]], translations: object, language: str) -> list:
    """A study's questionnaire JSON with wording, anchors and choice labels in ``language``."""
    translated = []
    for item in items:
        code = item.get("code", "")
        entry = dict(item)
        entry["wording"] = text_in(
            translations, language, ("questionnaire", code, "wording"), item.get("wording", "")
        )
        if item.get("anchors"):
            given = _anchors_in(translations, language, code)
            entry["anchors"] = given or list(item["anchors"])
        if item.get("choices"):
            entry["choices"] = [
                [
                    choice,
                    text_in(
                        translations, language, ("questionnaire", code, "choices", choice), label
                    ),
                ]
                for choice, label in item["choices"]
            ]
        translated.append(entry)
    return translated


def _anchors_in(translations: object, language: str, code: str) -> list[str] | None:
    entry = translations.get(language) if isinstance(translations, Mapping) else None
    try:
        anchors = entry["questionnaire"][code]["anchors"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    return list(anchors) if isinstance(anchors, list) and len(anchors) == 2 else None
