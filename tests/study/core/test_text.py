"""study.core.text: a text's length limit applies to its stored, normalised spelling."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from study.core.allocation import DesignError
from study.core.design_document import text_normalise
from study.core.text import TextTooLong, text_normalised

QA = "\u0958"  # one character typed, two (U+0915 U+093C) once NFC-normalised


def test_given_a_text_that_normalisation_lengthens_past_the_limit_then_refused_naming_it():
    with pytest.raises(TextTooLong) as refusal:
        text_normalised(QA * 200, field="title", max_length=200)

    assert str(refusal.value) == (
        "Title: at most 200 characters (this one has 400 after Unicode normalisation)."
    )
    assert (refusal.value.field, refusal.value.max_length, refusal.value.length) == (
        "title",
        200,
        400,
    )
    # A design refusal: the surfaces that show the builder's refusals show this one too.
    assert isinstance(refusal.value, DesignError)


def test_given_a_text_too_long_as_typed_then_the_message_does_not_blame_normalisation():
    with pytest.raises(
        TextTooLong, match=r"^Label: at most 100 characters \(this one has 101\)\.$"
    ):
        text_normalised("x" * 101, field="label", max_length=100)


def test_given_a_label_then_it_names_the_field_in_the_message():
    with pytest.raises(TextTooLong, match=r"^Source label: at most 2 "):
        text_normalised("abc", field="label", max_length=2, label="Source label")


def test_given_a_field_name_with_underscores_then_the_default_label_reads_as_words():
    with pytest.raises(TextTooLong, match=r"^Consent text: at most 1 "):
        text_normalised("ab", field="consent_text", max_length=1)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (QA * 100, "\u0915\u093c" * 100),  # exactly the limit once normalised
        ("Line one.\r\nLine two.\r\n  ", "Line one.\nLine two."),
        ("e\u0301" * 200, "\u00e9" * 200),  # NFC shortens: 400 typed, 200 stored
    ],
)
def test_given_a_text_that_fits_once_normalised_then_it_comes_back_normalised(typed, stored):
    assert text_normalised(typed, field="title", max_length=200) == stored


def test_given_no_limit_then_any_length_is_normalised_and_kept():
    assert text_normalised(QA * 10_000, field="persona", max_length=None) == "\u0915\u093c" * 10_000


@given(st.text(max_size=60), st.integers(min_value=0, max_value=80))
def test_given_any_text_then_it_is_refused_exactly_when_its_stored_spelling_is_too_long(
    text, max_length
):
    stored = text_normalise(text)
    if len(stored) > max_length:
        with pytest.raises(TextTooLong) as refusal:
            text_normalised(text, field="title", max_length=max_length)
        assert refusal.value.length == len(stored)
    else:
        result = text_normalised(text, field="title", max_length=max_length)
        assert result == stored
        assert unicodedata.is_normalized("NFC", result)
