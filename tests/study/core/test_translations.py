"""study.core.translations: the lookup with its fallback, and the check of the stored shape."""

import pytest

from study.core.translations import (
    CASE_TEXTS,
    StudyCodes,
    TranslationError,
    questionnaire_in,
    row_translations_check,
    screening_in,
    study_translations_check,
    text_in,
)

CODES = StudyCodes(
    arms=("ai", "human"),
    diagnoses=("pneumonia", "normal"),
    screening={"specialties": ("radiology", "other")},
    items={"ai_attitude": ((), True), "device": (("laptop", "tablet"), False)},
)
LANGUAGES = ("en", "de")


def _check(raw, base="en"):
    return study_translations_check(raw, languages=LANGUAGES, base=base, codes=CODES)


@pytest.mark.parametrize(
    ("translations", "language", "path", "expected"),
    [
        ({"de": {"title": "Titel"}}, "de", "title", "Titel"),
        ({"de": {"title": "Titel"}}, "en", "title", "own"),
        ({"de": {"title": ""}}, "de", "title", "own"),
        ({"de": {"arms": {"ai": {"label": "KI"}}}}, "de", ("arms", "ai", "label"), "KI"),
        ({"de": {"arms": {"ai": {"label": "KI"}}}}, "de", ("arms", "human", "label"), "own"),
        ({"de": {"arms": "broken"}}, "de", ("arms", "ai", "label"), "own"),
        ({}, "de", "title", "own"),
        (None, "de", "title", "own"),
    ],
)
def test_given_translations_when_a_text_is_looked_up_then_a_missing_one_falls_back(
    translations, language, path, expected
):
    assert text_in(translations, language, path, "own") == expected


def test_given_a_full_translation_then_it_is_kept_normalised_and_empty_texts_dropped():
    raw = {
        "de": {
            "title": "Studie\r\n",
            "description": "",
            "arms": {"ai": {"label": "KI", "persona": ""}, "human": {"label": ""}},
            "diagnoses": {"pneumonia": "Pneumonie", "normal": ""},
            "screening": {"specialties": {"radiology": "Radiologie"}},
            "questionnaire": {
                "ai_attitude": {"wording": "Vertrauen?", "anchors": ["gar nicht", "völlig"]},
                "device": {"choices": {"laptop": "Laptop", "tablet": ""}},
            },
        }
    }
    assert _check(raw) == {
        "de": {
            "title": "Studie",
            "arms": {"ai": {"label": "KI"}},
            "diagnoses": {"pneumonia": "Pneumonie"},
            "screening": {"specialties": {"radiology": "Radiologie"}},
            "questionnaire": {
                "ai_attitude": {"wording": "Vertrauen?", "anchors": ["gar nicht", "völlig"]},
                "device": {"choices": {"laptop": "Laptop"}},
            },
        }
    }


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"fr": {}}, "fr: not a language of this site (known: de, en)"),
        (
            {"en": {"title": "x"}},
            "en: the study's own language: its texts are the study's own, not a translation",
        ),
        ({"de": "Titel"}, "de: expected an object, got str"),
        (
            {"de": {"titel": "x"}},
            "de.titel: not a translatable text (known: title, description, "
            "consent_text, debrief_text, rating_anchor_low, rating_anchor_high, "
            "confidence_anchor_low, confidence_anchor_high)",
        ),
        ({"de": {"title": 3}}, "de.title: expected a text, got int"),
        ({"de": {"title": "x" * 201}}, "de.title: at most 200 characters (this one has 201)"),
        (
            {"de": {"arms": {"control": {"label": "x"}}}},
            "de.arms.control: not an arm of this study (known: ai, human)",
        ),
        (
            {"de": {"arms": {"ai": {"name": "x"}}}},
            "de.arms.ai.name: not a translatable text (known: label, persona)",
        ),
        (
            {"de": {"diagnoses": {"flu": "Grippe"}}},
            "de.diagnoses.flu: not a diagnosis of this study (known: normal, pneumonia)",
        ),
        (
            {"de": {"screening": {"levels": {}}}},
            "de.screening.levels: not a screening list (known: specialties)",
        ),
        (
            {"de": {"screening": {"specialties": {"surgery": "x"}}}},
            "de.screening.specialties.surgery: not an option of this study (known: "
            "other, radiology)",
        ),
        (
            {"de": {"questionnaire": {"age": {"wording": "x"}}}},
            "de.questionnaire.age: not an item of this study's questionnaire (known: "
            "ai_attitude, device)",
        ),
        (
            {"de": {"questionnaire": {"device": {"anchors": ["a", "b"]}}}},
            "de.questionnaire.device.anchors: only a Likert item has anchors",
        ),
        (
            {"de": {"questionnaire": {"ai_attitude": {"anchors": ["a"]}}}},
            "de.questionnaire.ai_attitude.anchors: give two anchors, low and high",
        ),
        (
            {"de": {"questionnaire": {"ai_attitude": {"anchors": ["a", ""]}}}},
            "de.questionnaire.ai_attitude.anchors: give both anchors, or neither (the "
            "item's own are shown)",
        ),
        (
            {"de": {"questionnaire": {"device": {"choices": {"phone": "x"}}}}},
            "de.questionnaire.device.choices.phone: not a choice of this study (known: "
            "laptop, tablet)",
        ),
        ([], "translations: expected an object, got list"),
    ],
)
def test_given_a_malformed_translation_then_it_is_refused_naming_the_key(raw, message):
    with pytest.raises(TranslationError) as refusal:
        _check(raw)
    assert str(refusal.value) == message


def test_given_a_case_translation_then_its_texts_are_checked_like_the_study_s():
    assert row_translations_check(
        {"de": {"vignette": "Ein Patient.\r\n", "feedback": ""}},
        languages=LANGUAGES,
        base="en",
        limits=CASE_TEXTS,
    ) == {"de": {"vignette": "Ein Patient."}}
    with pytest.raises(TranslationError) as refusal:
        row_translations_check(
            {"de": {"findings": "x"}}, languages=LANGUAGES, base="en", limits=CASE_TEXTS
        )
    assert str(refusal.value) == "de.findings: not a translatable text (known: vignette, feedback)"


def test_given_instruments_then_their_labels_are_shown_in_the_language_and_codes_kept():
    translations = {
        "de": {
            "screening": {"specialties": {"radiology": "Radiologie"}},
            "questionnaire": {
                "ai_attitude": {"wording": "Vertrauen?", "anchors": ["gar nicht", "völlig"]},
                "device": {"choices": {"tablet": "Tablet-PC"}},
            },
        }
    }
    assert screening_in(
        {"specialties": [["radiology", "Radiology"], ["other", "Other"]]}, translations, "de"
    ) == {"specialties": [["radiology", "Radiologie"], ["other", "Other"]]}
    items = [
        {"code": "ai_attitude", "wording": "Trust?", "type": "likert", "anchors": ["no", "yes"]},
        {
            "code": "device",
            "wording": "Device?",
            "type": "choice",
            "choices": [["laptop", "Laptop"], ["tablet", "Tablet"]],
        },
    ]
    assert questionnaire_in(items, translations, "de") == [
        {
            "code": "ai_attitude",
            "wording": "Vertrauen?",
            "type": "likert",
            "anchors": ["gar nicht", "völlig"],
        },
        {
            "code": "device",
            "wording": "Device?",
            "type": "choice",
            "choices": [["laptop", "Laptop"], ["tablet", "Tablet-PC"]],
        },
    ]
    assert questionnaire_in(items, translations, "fr") == items
