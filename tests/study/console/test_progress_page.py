"""The study page's progress block: the figures the selectors give, an accessible SVG with its
table, a balance flag, the fragment the script fetches (same block, same roles) and the
Refresh link that works without JavaScript."""

import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from study import services
from study.models import Advice, Participant, StudyMembership, Trial
from tests.factories import UserFactory, answer_all, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


def _cells(html: str, table_id: str) -> list[list[str]]:
    """The text of each body row of the table with ``table_id`` (tags stripped)."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    assert table, f"no table {table_id}"
    body = re.search(r"<tbody>(.*?)</tbody>", table.group(0), re.S).group(1)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


@pytest.fixture
def study(owner):
    study = gaube_study(owner=owner)
    finished = enrolled_participant(study)
    answer_all(finished)
    services.questionnaire_record(
        participant=finished, answers={"ai_attitude": 4, "advice_usefulness": 5, "comments": ""}
    )
    services.participant_complete(participant=finished, withdraw=False)
    Participant.objects.filter(pk=finished.pk).update(
        enrolled_at=datetime(2026, 11, 2, 9, tzinfo=UTC),
        completed_at=datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
    )
    started = enrolled_participant(study)
    Participant.objects.filter(pk=started.pk).update(enrolled_at=datetime(2026, 11, 4, tzinfo=UTC))
    services.invitations_create(study=study, count=1)
    return study


def test_given_participants_then_the_study_page_shows_steps_chart_durations_and_balance(
    owner_client, study
):
    response = owner_client.get(reverse("console:study", args=[study.slug]))
    html = response.content.decode()

    assert response.status_code == 200
    steps = _cells(html, "steps")
    assert steps[0] == ["Consent", "3", "1", "0"]
    assert steps[2] == ["Case 1", "2", "1", "0"]
    assert steps[-1] == ["Finished (completion code shown)", "1", "1", "0"]
    assert _cells(html, "timeline-table") == [
        ["2026-11-02", "1", "1", "1", "1"],
        ["2026-11-03", "0", "0", "1", "1"],
        ["2026-11-04", "1", "0", "2", "1"],
    ]
    assert '<svg class="chart-svg"' in html
    assert 'role="img" aria-labelledby="timeline-title timeline-desc"' in html
    assert (
        '<desc id="timeline-desc">Participants enrolled and completed to date, by day (UTC), '
        "from 2026-11-02 to 2026-11-04: 2 enrolled and 1 completed in all.</desc>"
    ) in html
    assert '<div class="stat" id="duration-median"><b>30.0</b>' in html
    assert '<div class="stat" id="duration-quartiles"><b>30.0–30.0</b>' in html
    assert "Everything is as the allocation promises." in html
    case_rows = _cells(html, "case-balance")
    assert [row[-1] for row in case_rows] == ["as promised"] * 8
    # two participants hold a slot, 2 of 8 cases inaccurate each: 12 accurate, 4 inaccurate
    assert sum(int(row[1]) for row in case_rows) == sum(int(row[2]) for row in case_rows) == 12
    assert sum(int(row[3]) for row in case_rows) == sum(int(row[4]) for row in case_rows) == 4


def test_given_a_tampered_trial_then_the_page_flags_the_deviation_and_names_the_participant(
    owner_client, study
):
    participant = study.participants.filter(status="in_progress").get()
    trial = participant.trials.filter(advice__variant="accurate").order_by("position").first()
    Trial.objects.filter(pk=trial.pk).update(
        advice=Advice.objects.get(case=trial.case, variant="inaccurate")
    )

    html = owner_client.get(reverse("console:study", args=[study.slug])).content.decode()

    assert "2 deviations from what the allocation promises" in html
    assert (
        f'<p id="deviating-participants">Participants whose counts deviate (1): '
        f"{participant.public_id}</p>"
    ) in html
    flagged = [row[0] for row in _cells(html, "case-balance") if row[-1] == "deviates"]
    assert flagged == [trial.case.code]


def test_given_the_fragment_url_then_the_block_alone_comes_back_uncached(owner_client, study):
    response = owner_client.get(reverse("console:progress", args=[study.slug]))
    html = response.content.decode()

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert html.startswith('<div class="progress-content" data-digest="')
    assert "<h1" not in html
    assert "<html" not in html
    assert _cells(html, "steps")[0] == ["Consent", "3", "1", "0"]


def test_given_a_new_enrolment_then_the_fragment_digest_changes_and_only_then(owner_client, study):
    url = reverse("console:progress", args=[study.slug])

    def digest() -> str:
        html = owner_client.get(url).content.decode()
        return re.search(r'data-digest="([0-9a-f]{16})"', html).group(1)

    first = digest()
    assert digest() == first
    enrolled_participant(study)
    assert digest() != first


def test_given_the_study_page_then_the_block_is_live_with_a_refresh_link_and_its_script(
    owner_client, study
):
    html = owner_client.get(reverse("console:study", args=[study.slug])).content.decode()

    progress_url = reverse("console:progress", args=[study.slug])
    assert (
        f'<div id="progress-block" aria-live="polite" data-refresh-url="{progress_url}" '
        'data-refresh-seconds="30">'
    ) in html
    study_url = reverse("console:study", args=[study.slug])
    # a real reload without JavaScript: the address differs from the page's (the time it was
    # made), since following a link that only adds #progress would just scroll
    refresh = re.search(r'id="progress-refresh" href="([^"]+)">Refresh</a>', html).group(1)
    assert re.fullmatch(rf"{study_url}\?as_of=\d{{10}}#progress", refresh), refresh
    assert '<script src="/static/js/progress.js" defer></script>' in html
    assert "style=" not in html
    assert "<script>" not in html


def test_given_a_viewer_then_the_fragment_is_shown_and_a_stranger_gets_404(client, study):
    viewer, stranger = UserFactory(username="viewer"), UserFactory(username="stranger")
    StudyMembership.objects.create(study=study, user=viewer, role=StudyMembership.Role.VIEWER)
    url = reverse("console:progress", args=[study.slug])

    client.force_login(viewer)
    assert client.get(url).status_code == 200
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/console/login/")


def test_given_a_draft_without_enrolments_then_the_block_says_the_chart_starts_later(
    owner_client, owner
):
    draft = gaube_study(owner=owner, open_study=False, cases_per_participant=3)

    html = owner_client.get(reverse("console:progress", args=[draft.slug])).content.decode()

    assert '<p id="timeline-empty">Nobody has enrolled yet' in html
    assert "<svg" not in html
    assert [row[0] for row in _cells(html, "steps")] == [
        "Consent",
        "Screening",
        "Case 1",
        "Case 2",
        "Case 3",
        "Questionnaire",
        "Debrief",
        "Finished (completion code shown)",
    ]


def test_given_more_participants_then_the_fragment_makes_no_more_queries(owner_client, study):
    url = reverse("console:progress", args=[study.slug])
    with CaptureQueriesContext(connection) as few:
        owner_client.get(url)
    for _ in range(4):
        answer_all(enrolled_participant(study))

    with CaptureQueriesContext(connection) as many:
        owner_client.get(url)

    assert len(many) == len(few)
