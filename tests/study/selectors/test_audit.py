"""The audit selector: filters by action, actor (or none), UTC day range and participant, the
newest first, and the choices the filters offer are those present in the study's log."""

from datetime import UTC, date, datetime
from unittest import mock

import pytest

from study.selectors.audit import (
    NO_ACTOR,
    AuditFilters,
    study_audit_choices,
    study_audit_events,
)
from study.services.audit import audit_record
from tests.factories import UserFactory, gaube_study

pytestmark = pytest.mark.django_db


def _at(day: int, hour: int, **fields):
    with mock.patch(
        "django.utils.timezone.now", return_value=datetime(2026, 12, day, hour, tzinfo=UTC)
    ):
        return audit_record(**fields)


def test_given_filters_then_each_narrows_the_events():
    study, other_study = gaube_study(open_study=False), gaube_study(open_study=False)
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    a = _at(1, 9, study=study, action="export", actor=alice)
    b = _at(2, 9, study=study, action="export", actor=bob)
    c = _at(3, 9, study=study, action="report")
    _at(2, 10, study=other_study, action="export", actor=alice)
    participant = study.participants.create(token="x" * 20, public_id="P00AA")
    d = _at(4, 9, study=study, action="participant.consent", participant=participant)

    def ids(**filters) -> list[int]:
        return [e.pk for e in study_audit_events(study=study, filters=AuditFilters(**filters))]

    assert ids(action="export") == [b.pk, a.pk]
    assert ids(actor="alice") == [a.pk]
    assert ids(actor=NO_ACTOR, since=date(2026, 12, 3)) == [d.pk, c.pk]
    assert ids(since=date(2026, 12, 2), until=date(2026, 12, 3)) == [c.pk, b.pk]
    assert ids(participant="p00aa") == [d.pk]
    assert [e.pk for e in study_audit_events(study=study, limit=2)] == [d.pk, c.pk]


def test_given_a_log_then_the_choices_are_its_actions_and_users_sorted():
    study = gaube_study(open_study=False)
    audit_record(study=study, action="report", actor=UserFactory(username="zoe"))
    audit_record(study=study, action="export", actor=UserFactory(username="adam"))
    audit_record(
        study=gaube_study(open_study=False), action="other", actor=UserFactory(username="eve")
    )

    actions, actors = study_audit_choices(study=study)

    assert actions == ["export", "report"]
    assert actors == ["adam", "zoe"]
