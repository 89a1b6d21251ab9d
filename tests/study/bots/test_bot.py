"""A bot's outcome and the page it names: the step from the participant pages' URL names with
the token left out, and completed, failed or stuck by what the site answered (here a scripted
browser; tests/study/management/commands/test_run_bots.py drives the real site)."""

import time

import pytest

from study.bots.bot import COMPLETED, FAILED, STUCK, Bot, where
from study.bots.browser import Unanswered
from study.bots.page import page_read

TOKEN = "tok_" + "A" * 28
BASE = "http://127.0.0.1:9/"


@pytest.mark.parametrize(
    ("url", "step", "path"),
    [
        (f"{BASE}p/{TOKEN}/consent/", "consent", "/p/<token>/consent/"),
        (f"{BASE}p/{TOKEN}/case/3/", "trial 3", "/p/<token>/case/3/"),
        (f"{BASE}p/{TOKEN}/case/1/feedback/?saved=1", "feedback 1", "/p/<token>/case/1/feedback/"),
        (f"{BASE}p/{TOKEN}/done/", "done", "/p/<token>/done/"),
        (f"{BASE}s/{TOKEN}/", "open_link", "/s/<token>/"),
        (f"{BASE}console/", "unknown", "/console/"),
        (f"{BASE}nowhere/", "unknown", "/nowhere/"),
    ],
)
def test_where_names_the_step_and_leaves_the_token_out(url, step, path):
    place = where(url)

    assert (place.step, place.path) == (step, path)


def test_where_reads_a_site_served_under_a_prefix():
    place = where(f"http://host/trustlab/p/{TOKEN}/about-you/", "/trustlab/")

    assert (place.step, place.path, place.token) == (
        "screening",
        "/trustlab/p/<token>/about-you/",
        TOKEN,
    )


class _ScriptedBrowser:
    """Answers each request with the next page of a script (or raises what is in it)."""

    def __init__(self, script):
        self.base_url = BASE
        self.script = list(script)
        self.images = 0
        self.throttled = 0
        self.previous = ""
        self.posted = []

    def url(self, path):
        return BASE + path

    def _next(self):
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item, None

    def get(self, url):
        return self._next()

    def post(self, url, pairs, follow=True):
        self.posted.append(pairs)
        return self._next()

    def images_fetch(self, page):
        return []


def _page(
    path,
    status=200,
    html='<form method="post"><input name="agree" type="radio" value="yes"></form>',
):
    return page_read(url=BASE + path.replace("T", TOKEN), status=status, html=html)


class _Physician:
    def consent(self):
        return {"agree": "yes"}


def _bot(script, *, deadline=None, max_pages=50):
    return Bot(
        number=7,
        browser=_ScriptedBrowser(script),
        physician=_Physician(),
        deadline=deadline or time.monotonic() + 60,
        max_pages=max_pages,
    )


def test_the_done_page_is_completed():
    result = _bot([_page("p/T/consent/"), _page("p/T/done/", html="<h1>Thank you</h1>")])

    outcome = result.run_invitation(TOKEN)

    assert (outcome.number, outcome.outcome, outcome.step, outcome.pages) == (
        7,
        COMPLETED,
        "done",
        2,
    )


def test_an_error_status_is_failed_with_the_page_heading():
    bot = _bot([_page("p/T/consent/", 500, "<h1>Server error</h1>")])

    outcome = bot.run_invitation(TOKEN)

    assert (outcome.outcome, outcome.step, outcome.path, outcome.reason) == (
        FAILED,
        "consent",
        "/p/<token>/consent/",
        "HTTP 500: Server error",
    )


def test_a_refused_answer_is_failed_with_the_error_summary():
    refused = _page(
        "p/T/consent/",
        400,
        '<h1>Consent</h1><div class="error-summary"><ul><li>Please choose.</li></ul></div>',
    )
    outcome = _bot([_page("p/T/consent/"), refused]).run_invitation(TOKEN)

    assert (outcome.outcome, outcome.reason) == (FAILED, "HTTP 400: Consent: Please choose.")


def test_a_page_that_is_no_step_of_the_visit_is_failed():
    outcome = _bot([_page("p/T/withdrawn/", html="<h1>You have withdrawn</h1>")]).run_invitation(
        TOKEN
    )

    assert (outcome.outcome, outcome.step, outcome.reason) == (
        FAILED,
        "withdrawn",
        "HTTP 200: You have withdrawn",
    )


def test_a_page_the_bot_cannot_answer_is_failed_with_what_it_lacks():
    outcome = _bot([_page("p/T/consent/", html='<form method="post"></form>')]).run_invitation(
        TOKEN
    )

    assert (outcome.outcome, outcome.reason) == (FAILED, "the page does not ask 'agree'")


def test_the_same_page_after_each_answer_is_stuck():
    bot = _bot([_page("p/T/consent/")] * 3)

    outcome = bot.run_invitation(TOKEN)

    assert (outcome.outcome, outcome.step, outcome.reason) == (
        STUCK,
        "consent",
        "the page did not advance after 2 answers",
    )
    assert bot.browser.posted == [[("agree", "yes")]] * 2


def test_too_many_pages_is_stuck():
    pages = [_page(f"p/T/case/{n}/", html='<form method="post"></form>') for n in range(1, 4)]

    outcome = _bot([_page("p/T/consent/"), *pages], max_pages=1).run_invitation(TOKEN)

    assert (outcome.outcome, outcome.reason) == (STUCK, "more than 1 pages")


def test_a_visit_past_its_deadline_is_stuck():
    outcome = _bot([_page("p/T/consent/")], deadline=time.monotonic() - 1).run_invitation(TOKEN)

    assert (outcome.outcome, outcome.reason) == (STUCK, "the visit did not end in time")


def test_no_answer_from_the_site_is_stuck_on_the_page_it_was_on():
    outcome = _bot([_page("p/T/consent/"), Unanswered("no answer within 30 s")]).run_invitation(
        TOKEN
    )

    assert (outcome.outcome, outcome.step, outcome.reason) == (
        STUCK,
        "consent",
        "no answer within 30 s",
    )
