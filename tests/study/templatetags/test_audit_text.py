"""The audit log in words: known actions as sentences, unknown ones from their own words, and a
detail as "key: value" lines with lists, nested mappings, booleans and None spelt out."""

import pytest

from study.templatetags.audit_text import audit_action, audit_detail


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("study.open", "Recruitment opened"),
        ("case.review_confirmed", "Case confirmed free of burned-in text"),
        ("invitation_email.sent", "Invitation email sent"),
        ("membership.role_change", "Membership role change"),
        ("export", "Data exported"),
    ],
)
def test_given_an_action_code_then_it_reads_as_words(code, words):
    assert audit_action(code) == words


def test_given_a_detail_then_each_key_is_a_line_with_its_value_in_words():
    detail = {
        "table": "trials",
        "rows": 240,
        "synthetic_included": False,
        "codes": ["C01", "C02"],
        "quotas": {"radiology": 40, "non_radiology": None},
        "empty": [],
    }

    assert audit_detail(detail) == [
        "table: trials",
        "rows: 240",
        "synthetic included: no",
        "codes: C01, C02",
        "quotas: (radiology: 40; non radiology: none)",
        "empty: none",
    ]


@pytest.mark.parametrize(
    ("detail", "lines"),
    [({}, []), (None, []), ("", []), ([1, 2], ["1, 2"]), ("old text", ["old text"])],
)
def test_given_a_detail_that_is_not_a_mapping_then_it_is_one_line_or_none(detail, lines):
    assert audit_detail(detail) == lines
