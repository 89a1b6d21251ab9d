"""The audit filter form: the values it accepts become the selector's filters; its choices are
the log's own actions and users plus "anyone" and participant/system."""

import datetime

from study.console.audit_forms import AuditFilterForm
from study.selectors.audit import NO_ACTOR, AuditFilters


def _form(data):
    return AuditFilterForm(data, actions=["export", "study.open"], actors=["alice"])


def test_given_good_values_then_they_become_the_filters_and_the_page():
    form = _form(
        {
            "action": "study.open",
            "actor": NO_ACTOR,
            "date_from": "2026-12-01",
            "date_to": "2026-12-01",
            "participant": "P1",
            "page": "3",
        }
    )

    assert form.is_valid(), form.errors
    assert form.filters() == AuditFilters(
        action="study.open",
        actor=NO_ACTOR,
        since=datetime.date(2026, 12, 1),
        until=datetime.date(2026, 12, 1),
        participant="P1",
    )
    assert form.page_number() == 3


def test_given_nothing_then_no_filter_and_page_one():
    form = _form({})

    assert form.is_valid()
    assert (form.filters(), form.page_number()) == (AuditFilters(), 1)


def test_given_the_choices_then_actions_read_as_words():
    form = _form({})

    assert form.fields["action"].choices == [
        ("", "Any action"),
        ("export", "Data exported"),
        ("study.open", "Recruitment opened"),
    ]
    assert form.fields["actor"].choices == [
        ("", "Anyone"),
        (NO_ACTOR, "participant/system"),
        ("alice", "alice"),
    ]
