"""The audit page: a readable table (time on one line, the action in words, detail as
"key: value" lines), filters with a 400 naming each bad value, and pagination where a page past
the end is the last page and a page that is not a number is a 400."""

import re
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.urls import reverse

from study.models import AuditEvent
from study.services.audit import audit_record
from tests.factories import UserFactory, gaube_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def study(owner):
    return gaube_study(owner=owner)


def _rows(html: str) -> list[list[str]]:
    body = re.search(r'<table[^>]*id="audit-events".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [
        [
            re.sub(r"<[^>]+>", "|", cell).strip("|").replace("||", "|")
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def _audit(study, when: datetime, **fields) -> AuditEvent:
    """An event at a given time: the log is append-only in the database (no UPDATE), so the
    clock is set for the write instead."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        return audit_record(study=study, **fields)


def _get(client, study, **params):
    return client.get(reverse("console:audit", args=[study.slug]), params)


def test_given_events_then_the_table_reads_as_words_not_python(owner_client, owner, study):
    _audit(
        study,
        datetime(2026, 12, 1, 8, 5, 9, tzinfo=UTC),
        action="quotas.set",
        actor=owner,
        detail={"quotas": {"radiology": 40}, "stratum_codes": ["radiology", "non_radiology"]},
    )

    html = _get(owner_client, study, action="quotas.set").content.decode()

    assert _rows(html) == [
        [
            "2026-12-01 08:05:09",
            "owner",
            "Stratum quotas set",
            "–",
            "quotas: (radiology: 40)|stratum codes: radiology, non_radiology",
        ]
    ]
    assert '<td class="nowrap"><time datetime="2026-12-01T08:05:09+00:00">' in html
    assert "{'" not in html
    assert "&#x27;" not in html


def test_given_filters_then_only_matching_events_are_listed(owner_client, owner, study):
    other = UserFactory(username="coordinator")
    _audit(study, datetime(2026, 11, 30, 23, 59, tzinfo=UTC), action="export", actor=owner)
    _audit(study, datetime(2026, 12, 1, 0, 0, tzinfo=UTC), action="export", actor=other)
    _audit(study, datetime(2026, 12, 2, 12, tzinfo=UTC), action="export", actor=other)
    _audit(study, datetime(2026, 12, 3, 0, 0, tzinfo=UTC), action="export", actor=other)

    rows = _rows(
        _get(
            owner_client,
            study,
            action="export",
            actor="coordinator",
            date_from="2026-12-01",
            date_to="2026-12-02",
        ).content.decode()
    )

    assert [row[0] for row in rows] == ["2026-12-02 12:00:00", "2026-12-01 00:00:00"]


def test_given_the_participant_and_system_filters_then_they_narrow_to_those_events(
    owner_client, study
):
    participant = study.participants.create(token="t" * 20, public_id="PABC123")
    audit_record(study=study, action="participant.consent", participant=participant)
    audit_record(study=study, action="participant.consent")

    by_id = _rows(_get(owner_client, study, participant="pabc123").content.decode())
    by_system = _rows(
        _get(owner_client, study, actor="-", action="participant.consent").content.decode()
    )

    assert [row[3] for row in by_id] == ["PABC123"]
    assert [row[1] for row in by_system] == ["participant/system"] * 2


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"action": "nope"}, "Action: “nope” is not an action in this study&#x27;s log"),
        ({"actor": "mallory"}, "Who: “mallory” is not anyone in this study&#x27;s log"),
        ({"date_from": "1.12.2026"}, "From (date, UTC): enter a date as YYYY-MM-DD"),
        ({"date_to": "2026-02-30"}, "To (date, UTC): enter a date as YYYY-MM-DD"),
        (
            {"date_from": "2026-12-02", "date_to": "2026-12-01"},
            "To (date, UTC): 2026-12-01 is before the From date 2026-12-02",
        ),
        ({"participant": "P<script>"}, "Participant id: a participant id has only letters"),
        ({"participant": "P" * 17}, "Participant id: a participant id has at most 16 characters"),
        ({"page": "two"}, "Page: enter a whole page number from 1"),
        ({"page": "0"}, "Page: enter a whole page number from 1"),
    ],
)
def test_given_a_bad_filter_then_400_names_it(owner_client, study, params, message):
    response = _get(owner_client, study, **params)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'id="audit-events"' not in response.content.decode()


def test_given_many_events_then_pages_of_fifty_and_a_page_past_the_end_is_the_last(
    owner_client, study
):
    for number in range(60):
        audit_record(study=study, action="export", detail={"n": number})
    total = study.audit_events.count()

    first = _get(owner_client, study).content.decode()
    beyond = _get(owner_client, study, page="99", action="export")

    assert len(_rows(first)) == 50
    assert f"{total} events, page 1 of 2." in first
    assert 'href="?page=2" rel="next">Next</a>' in first
    assert beyond.status_code == 200
    html = beyond.content.decode()
    assert "60 events, page 2 of 2." in html
    assert [row[4] for row in _rows(html)] == [f"n: {n}" for n in range(9, -1, -1)]
    assert 'href="?page=1&amp;action=export" rel="prev">Previous</a>' in html


def test_given_a_viewer_then_the_audit_page_opens(client, study):
    from study.models import StudyMembership

    viewer = UserFactory(username="viewer")
    StudyMembership.objects.create(study=study, user=viewer, role=StudyMembership.Role.VIEWER)
    client.force_login(viewer)

    assert _get(client, study).status_code == 200
