"""A run of bots: the report in words, and what is refused before any bot starts."""

import pytest

from study import services
from study.bots import COMPLETED, FAILED, STUCK, BotResult, RunReport, bots_run, report_lines
from study.models import Participant
from tests.factories import gaube_study


def test_the_report_counts_outcomes_and_names_each_bot_that_did_not_complete():
    report = RunReport(
        base_url="http://127.0.0.1:8000/",
        results=(
            BotResult(1, COMPLETED, "done", "/p/<token>/done/", pages=13, images=16, seconds=2.0),
            BotResult(2, FAILED, "consent", "/p/<token>/consent/", "HTTP 403: Closed", pages=1),
            BotResult(3, STUCK, "trial 4", "/p/<token>/case/4/", "the page did not advance"),
            BotResult(
                4, COMPLETED, "done", "/p/<token>/done/", pages=13, images=16, seconds=4.0,
                throttled=2,
            ),
        ),
    )  # fmt: skip

    assert report_lines(report) == [
        "Bots at http://127.0.0.1:8000/: 2 completed, 1 failed, 1 stuck.",
        "  bot 2 failed at consent (/p/<token>/consent/): HTTP 403: Closed",
        "  bot 3 stuck at trial 4 (/p/<token>/case/4/): the page did not advance",
        "Completed bots: 26 pages, 32 images, median 4.0 s per bot.",
        "2 requests were answered 429 (the per-address rate limit: every bot comes from this "
        "address) and sent again after the wait the site asked for; RATELIMIT_ENABLE=0 on the "
        "site lifts the limit for a run of bots.",
    ]
    assert not report.succeeded
    assert [r.number for r in report.with_outcome(STUCK)] == [3]


def test_a_run_where_every_bot_completed_succeeded():
    done = BotResult(1, COMPLETED, "done", "/p/<token>/done/")

    assert RunReport(base_url="x", results=(done,)).succeeded


@pytest.mark.django_db
def test_an_unknown_entry_is_refused_before_anything_is_created():
    study = gaube_study(pilot_mode=True)

    with pytest.raises(ValueError) as refused:
        bots_run(study=study, participants=1, entry="email")

    assert str(refused.value) == "entry must be one of invitations, open-link, got 'email'"
    assert not Participant.objects.filter(study=study).exists()


@pytest.mark.django_db(transaction=True)
def test_a_bot_that_breaks_is_reported_failed_on_its_last_page_and_the_run_goes_on(monkeypatch):
    study = gaube_study(pilot_mode=True)
    study = services.self_enrolment_enable(study=study)

    def broken(*, token):
        raise RuntimeError("marking failed")

    monkeypatch.setattr("study.bots.run.bot_participant_mark", broken)

    report = bots_run(study=study, participants=2, concurrency=1, entry="open-link")

    assert [(r.number, r.outcome, r.step, r.path, r.reason) for r in report.results] == [
        (number, FAILED, "open_link", "/s/<token>/", "RuntimeError('marking failed')")
        for number in (1, 2)
    ]
