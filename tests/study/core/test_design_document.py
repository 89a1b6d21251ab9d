"""The canonical design document: one spelling of every text, one JSON text, one sha256."""

import hashlib
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from study.core.design_document import (
    EXCLUDED_SETTINGS,
    DocumentError,
    document_canonical_json,
    document_hash,
    document_normalise,
    text_normalise,
)

DOCUMENT = {
    "texts": {"title": "Do as AI say", "consent_text": "Line one.\nLine two."},
    "design": {"seed": 12345, "read_then_reveal": False, "stratum_map": {"radiology": "rad"}},
    "arms": [{"code": "ai", "label": "CHEST-AI", "weight": 1}],
    "cases": [{"code": "c1", "advice": [{"displayed_confidence": 87.5, "annotation": None}]}],
}


def _with_consent(text: str) -> dict:
    return {**DOCUMENT, "texts": {**DOCUMENT["texts"], "consent_text": text}}


def test_given_a_document_then_its_hash_is_the_sha256_of_sorted_compact_ascii_json():
    expected = (
        '{"arms":[{"code":"ai","label":"CHEST-AI","weight":1}],'
        '"cases":[{"advice":[{"annotation":null,"displayed_confidence":87.5}],"code":"c1"}],'
        '"design":{"read_then_reveal":false,"seed":12345,"stratum_map":{"radiology":"rad"}},'
        '"texts":{"consent_text":"Line one.\\nLine two.","title":"Do as AI say"}}'
    )
    assert document_canonical_json(DOCUMENT) == expected
    assert document_hash(DOCUMENT) == hashlib.sha256(expected.encode("ascii")).hexdigest()


@pytest.mark.parametrize(
    "spelling",
    [
        "Line one.\r\nLine two.",  # Windows line endings, as a browser posts a textarea
        "Line one.\rLine two.",  # old Mac line endings
        "Line one.\nLine two.  \n\n",  # trailing whitespace at the end
        "Line one.\r\nLine two.\r\n",
    ],
)
def test_given_other_line_endings_or_trailing_space_then_the_hash_is_the_same(spelling):
    assert document_hash(_with_consent(spelling)) == document_hash(DOCUMENT)


def test_given_nfc_and_nfd_spellings_of_a_text_then_the_hash_is_the_same():
    composed = "Einwilligung: Patientin, 54 Jahre, Röntgen-Thorax, Befund überprüft."
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert document_hash(_with_consent(decomposed)) == document_hash(_with_consent(composed))
    # keys are texts too: a stratum map typed with a decomposed key hashes the same
    nfd_key = {**DOCUMENT, "design": {"stratum_map": {unicodedata.normalize("NFD", "ü"): "x"}}}
    assert document_hash(nfd_key) == document_hash(
        {**DOCUMENT, "design": {"stratum_map": {"ü": "x"}}}
    )


def test_given_a_changed_text_inside_a_line_then_the_hash_changes():
    assert document_hash(_with_consent("Line one.\nLine  two.")) != document_hash(DOCUMENT)
    assert document_hash(_with_consent(" Line one.\nLine two.")) != document_hash(DOCUMENT)


def test_given_the_text_rule_then_it_is_nfc_lf_and_no_trailing_whitespace():
    assert text_normalise("e\u0301\r\nb\rc \t\n") == "\u00e9\nb\nc"
    assert text_normalise("  kept leading space") == "  kept leading space"


@given(st.text())
def test_given_any_text_then_normalising_twice_is_normalising_once(text):
    once = text_normalise(text)
    assert text_normalise(once) == once
    assert "\r" not in once
    assert once == once.rstrip()


def test_given_a_normalised_document_then_storing_and_hashing_it_again_gives_the_same_hash():
    document = _with_consent("Line one.\r\nLine two.\r\n")
    stored = document_normalise(document)
    assert stored["texts"]["consent_text"] == "Line one.\nLine two."
    assert document_hash(stored) == document_hash(document)
    assert document["texts"]["consent_text"].endswith("\r\n")  # the input is not changed


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"cases": [{"confidence": float("nan")}]}, "document.cases[0].confidence: nan is not"),
        ({"design": {1: "x"}}, "document.design: key 1 is not a text"),
        ({"arms": {"ai", "human"}}, "document.arms: set is not JSON data"),
        ({"a\r": 1, "a": 2}, "document: keys 'a' and another normalise to 'a'"),
    ],
)
def test_given_data_that_is_not_json_then_it_is_refused_naming_where(document, message):
    with pytest.raises(DocumentError) as refusal:
        document_hash(document)
    assert str(refusal.value).startswith(message)


def test_the_settings_left_out_of_the_design_are_named():
    assert set(EXCLUDED_SETTINGS) == {
        "stratum_quotas",
        "self_enrolment_token",
        "pilot_mode",
        "abandon_after_minutes",
        "reissue_after_minutes",
    }
