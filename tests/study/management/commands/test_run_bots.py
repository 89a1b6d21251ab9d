"""run_bots: bots take part over real HTTP (the command serves the site itself) and the command
reports completed, failed and stuck bots with the page each stopped on, exiting 1 when any did
not complete."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from study import services
from study.models import AuditEvent, Participant, Response, Study
from tests.factories import gaube_study

# The bots' requests are served on other threads, which see only committed data.
pytestmark = pytest.mark.django_db(transaction=True)


def _concurrency() -> str:
    # Bots at once: on PostgreSQL two. SQLite's in-memory test database (shared cache) answers
    # two threads writing at once with "database table is locked" at once, without the busy
    # timeout of the demo's file database (WAL, 20 s): there the bots go one at a time.
    return "2" if connection.vendor == "postgresql" else "1"


def _run(*args):
    out = io.StringIO()
    call_command("run_bots", "--concurrency", _concurrency(), *args, stdout=out)
    return out.getvalue()


def _refused(*args):
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("run_bots", "--concurrency", _concurrency(), *args, stdout=out)
    return str(refused.value), out.getvalue()


def _export_rows(slug, tmp_path):
    path = tmp_path / "trials.csv"
    call_command(
        "export", "--study", slug, "--format", "csv", "--table", "trials",
        "--include-synthetic", "--output", str(path), stdout=io.StringIO(),
    )  # fmt: skip
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_bots_complete_the_demo_study_and_the_export_has_their_trials(tmp_path):
    call_command("demo_seed", "--invitations", "1", stdout=io.StringIO())
    study = Study.objects.get(slug="gaube-2021")

    output = _run("--study", "gaube-2021", "--participants", "3")

    lines = output.splitlines()
    assert re.fullmatch(
        r"Bots at http://127\.0\.0\.1:\d+/: 3 completed, 0 failed, 0 stuck\.", lines[0]
    )
    # 13 pages each (consent, screening, 8 cases, questionnaire, debrief, done) and the
    # preview and the window/level source of each case's image
    assert re.fullmatch(
        r"Completed bots: 39 pages, 48 images, median \d+\.\d s per bot\.", lines[1]
    )
    bots = Participant.objects.filter(study=study, synthetic=True)
    assert sorted(bots.values_list("status", flat=True)) == ["completed"] * 3
    assert Participant.objects.filter(study=study, synthetic=False).count() == 1  # the seeded link
    rows = _export_rows("gaube-2021", tmp_path)
    assert len(rows) == 3 * 8
    assert {row["participant"] for row in rows} == set(bots.values_list("public_id", flat=True))
    assert {row["synthetic"] for row in rows} == {"true"}
    assert {row["decision"] for row in rows} <= {"accept", "modify", "reject"}
    assert all(row["final_diagnosis"] and row["advice_rating"] for row in rows)
    # the page's timings were sent and kept (the bot's clock is within the server's)
    assert all(row["client_active_ms"] != "" for row in rows)
    assert {row["timing_flag"] for row in rows} == {""}


def test_a_closed_study_fails_every_bot_at_the_consent_page_and_exits_1():
    study = gaube_study(pilot_mode=True)
    services.study_close(study=study)

    message, output = _refused("--study", study.slug, "--participants", "2")

    assert message == "2 of 2 bots did not complete."
    lines = output.splitlines()
    assert lines[0].endswith(": 0 completed, 2 failed, 0 stuck.")
    assert lines[1:] == [
        f"  bot {number} failed at consent (/p/<token>/consent/): HTTP 403: "
        "This study is not recruiting"
        for number in (1, 2)
    ]
    assert not Response.objects.filter(trial__participant__study=study).exists()


def test_a_case_page_that_does_not_advance_is_reported_stuck_on_that_case(monkeypatch):
    study = gaube_study(pilot_mode=True)
    # the answer is taken but not stored: the page redirects back to the same case
    monkeypatch.setattr(services, "response_record", lambda *, trial, answer: None)

    message, output = _refused("--study", study.slug, "--participants", "1")

    assert message == "1 of 1 bots did not complete."
    assert output.splitlines()[1] == (
        "  bot 1 stuck at trial 1 (/p/<token>/case/1/): the page did not advance after 2 answers"
    )
    (bot,) = Participant.objects.filter(study=study)
    assert (bot.synthetic, bot.status) == (True, "in_progress")


def test_bots_enrol_through_the_open_link_and_are_flagged_synthetic_before_consenting():
    study = gaube_study(pilot_mode=True)
    services.self_enrolment_enable(study=study)

    output = _run("--study", study.slug, "--participants", "2", "--entry", "open-link")

    assert output.splitlines()[0].endswith(": 2 completed, 0 failed, 0 stuck.")
    bots = Participant.objects.filter(study=study)
    assert sorted(bots.values_list("synthetic", "status")) == [(True, "completed")] * 2
    marked = AuditEvent.objects.filter(study=study, action="participant.synthetic")
    assert sorted(marked.values_list("participant_public_id", flat=True)) == sorted(
        bots.values_list("public_id", flat=True)
    )
    assert list(marked.values_list("detail", flat=True)) == [{"by": "bots"}] * 2


def test_bots_on_a_panel_link_each_bring_their_own_panel_id():
    study = gaube_study(pilot_mode=True)
    services.self_enrolment_enable(study=study)
    services.panel_settings_set(
        study=study,
        config=services.PanelConfig(
            id_param="PROLIFIC_PID", session_params=(), completion_url="", screenout_url=""
        ),
    )

    output = _run("--study", study.slug, "--participants", "2", "--entry", "open-link")

    assert output.splitlines()[0].endswith(": 2 completed, 0 failed, 0 stuck.")
    ids = sorted(Participant.objects.filter(study=study).values_list("external_id", flat=True))
    assert [re.fullmatch(r"BOT[12][0-9a-f]{12}", value) is not None for value in ids] == [True] * 2
    assert [value[:4] for value in ids] == ["BOT1", "BOT2"]


def test_bots_drive_a_site_given_by_its_base_url():
    from study.bots.server import site_served

    study = gaube_study(pilot_mode=True)
    with site_served() as url:
        output = _run("--study", study.slug, "--participants", "1", "--base-url", url)

    assert output.splitlines()[0] == f"Bots at {url}: 1 completed, 0 failed, 0 stuck."


def test_a_study_that_is_neither_a_demo_nor_in_pilot_mode_gets_no_bots():
    study = gaube_study()

    message, _output = _refused("--study", study.slug, "--participants", "2")

    assert message == (
        f"Study '{study.slug}' is neither a demo nor in pilot mode: simulated participants "
        "would sit beside real ones. Turn pilot mode on first "
        f"(python manage.py pilot_mode --study {study.slug} --on)."
    )
    assert not Participant.objects.filter(study=study).exists()


def test_the_open_link_entry_needs_an_open_link():
    study = gaube_study(pilot_mode=True)

    message, _output = _refused(
        "--study", study.slug, "--participants", "1", "--entry", "open-link"
    )

    assert message == f"Study '{study.slug}' has no open enrolment link: use --entry invitations."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--participants", "0"], "--participants must be between 1 and 10000."),
        (["--participants", "1", "--concurrency", "0"], "--concurrency must be between 1 and 64."),
        (["--participants", "1", "--timeout", "0"], "--timeout must be more than 0 seconds."),
        (
            ["--participants", "1", "--base-url", "ftp://example.org/"],
            "--base-url must start with http:// or https://.",
        ),
    ],
)
def test_bad_arguments_are_refused_with_what_is_wrong(args, message):
    study = gaube_study(pilot_mode=True)

    assert _refused("--study", study.slug, *args)[0] == message
    assert not Participant.objects.filter(study=study).exists()


def test_an_unknown_study_is_refused():
    assert _refused("--study", "nope", "--participants", "1")[0] == "No study with slug 'nope'."
