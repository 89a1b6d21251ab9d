"""The builder's text formats of study.core.instruments: a round trip keeps every item, and
every refusal names the line it is about."""

import pytest

from study.core import instruments


def test_given_the_default_questionnaire_then_its_text_reads_back_to_the_same_items():
    items = instruments.questionnaire_parse(None)
    text = instruments.questionnaire_text(items)
    assert instruments.questionnaire_from_text(text) == items
    assert text.splitlines()[-1] == "comments | text optional | Comments (optional)"


def test_given_every_item_type_then_text_and_json_round_trip():
    text = (
        "trust | likert | Trust? | 0-10; none; total\n"
        "years | number optional | Years | 0-60\n"
        "role | choice | Role | res=Resident; att=Attending\n"
        "tools | multiple optional | Tools | cad=CAD; pacs=PACS\n"
        "note | text | Note | 300"
    )
    items = instruments.questionnaire_from_text(text)
    assert instruments.questionnaire_text(items) == text
    stored = [instruments.item_to_json(item) for item in items]
    assert instruments.questionnaire_parse(stored) == items
    assert (items[0].scale, items[0].anchors, items[4].max_length) == (
        (0, 10),
        ("none", "total"),
        300,
    )
    assert [item.required for item in items] == [True, False, True, False, True]


def test_given_an_empty_text_then_there_are_no_items():
    assert instruments.questionnaire_from_text("\n  \n") == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a | likert", "line 1: write code | type | wording | details"),
        ("\n\na | bogus | W", "line 3: type 'bogus' must be one of likert, number, choice"),
        ("a | text required | W", "line 1: after the type only 'optional' may follow"),
        ("a | number | W | ten", "line 1: a number item's details are its range, e.g. 0-100"),
        ("a | likert | W | 1-20; x; y", "line 1: a Likert scale (1-20) has 2 to 11 points"),
        ("a | choice | W | yes", "line 1: write each choice as code=Label, got 'yes'"),
        ("a | choice | W | y=Y; y=Z", "line 1: choice 2: code 'y' is listed twice"),
        ("a | text | W\n\na | text | V", "line 3: the code 'a' is already used on line 1"),
        ("A | text | W", "line 1: code 'A' must be 1 to 40 lower-case letters"),
    ],
)
def test_given_a_bad_questionnaire_line_then_the_error_names_the_line(text, message):
    with pytest.raises(instruments.InstrumentError) as refusal:
        instruments.questionnaire_from_text(text)
    assert str(refusal.value).startswith(message)
    assert refusal.value.field == "questionnaire_items"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("specialties", "a = A\n\nb", "specialties, line 3: write code = label"),
        ("specialties", "a = A\n\na = B", "specialties, line 3: code 'a' is listed twice"),
        ("training_levels", "x =", "training_levels, line 1 (x): the label must be 1 to 200"),
        ("experience_bands", "5 = Five", "experience_bands: one band must start at 0 years"),
        ("experience_bands", "0 = A\nx = B", "experience_bands, line 2: code 'x' must be"),
        ("prior_ai_use", "", "prior_ai_use: give at least one option"),
    ],
)
def test_given_a_bad_option_line_then_the_error_names_the_line(name, text, message):
    with pytest.raises(instruments.InstrumentError) as refusal:
        instruments.options_from_text(name, text)
    assert str(refusal.value).startswith(message)
    assert refusal.value.field == name


def test_given_stored_options_then_a_bad_one_is_named_by_its_position():
    with pytest.raises(instruments.InstrumentError) as refusal:
        instruments.screening_parse({"specialties": [["ok", "OK"], ["Bad", "Bad"]]})
    assert str(refusal.value).startswith("specialties, option 2: code 'Bad'")


def test_given_bands_out_of_order_then_they_are_sorted_by_lower_bound():
    bands = instruments.options_from_text("experience_bands", "10 = Ten+\n0 = Novice\n5 = Five+")
    assert bands == (("0", "Novice"), ("5", "Five+"), ("10", "Ten+"))
    assert (
        instruments.screening_parse({"experience_bands": [list(b) for b in bands]}).rows(
            "years_experience"
        )
        == bands
    )
