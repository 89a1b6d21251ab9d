"""One bot's visit, page by page as a participant makes it: the link, consent, screening, each
case (the unaided read first in a read-then-reveal study, the images loaded, the training
feedback), the questionnaire, the debrief, the completion page.

Rule: the outcome is one of three, with the page it ended on. Completed: the done page.
Failed: the site answered something a participant cannot go on from (an error status, a page
that is not a step, a refused answer, an image that does not load). Stuck: the site kept
answering but the visit did not advance (the same page after answering it, too many pages, no
answer in time).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.urls import Resolver404, resolve

from .browser import Browser, Unanswered
from .page import Form, FormRefusal, Page
from .physician import BotPhysician, answer_fields, client_measurements, unaided_fields

COMPLETED, FAILED, STUCK = "completed", "failed", "stuck"
# Answering the same page this many times without it changing is being stuck on it.
SAME_PAGE_LIMIT = 2
# Steps a participant goes on from; the others (declined, screened out, withdrawn) end a visit.
ANSWERED_STEPS = ("consent", "screening", "trial", "feedback", "questionnaire", "debrief")


@dataclass(frozen=True)
class BotResult:
    number: int
    outcome: str
    step: str  # the step's name ("trial 3", "consent"), or "unknown"
    path: str  # the page's path with the participant's token left out
    reason: str = ""
    pages: int = 0
    images: int = 0
    seconds: float = 0.0
    throttled: int = 0  # requests answered 429 and sent again after Retry-After


@dataclass(frozen=True)
class Where:
    step: str
    path: str
    token: str
    position: int | None


def where(url: str, base_path: str = "/") -> Where:
    """The participant step a URL is (the participant pages' URL names), its path with the
    token as <token>."""
    path = urlsplit(url).path
    local = "/" + path[len(base_path) :] if path.startswith(base_path) else path
    try:
        match = resolve(local)
    except Resolver404:
        return Where("unknown", path, "", None)
    token = str(match.kwargs.get("token", ""))
    shown = path.replace(f"/{token}/", "/<token>/") if token else path
    if match.namespace != "participant":
        return Where("unknown", shown, token, None)
    position = match.kwargs.get("position")
    step = match.url_name or "unknown"
    return Where(f"{step} {position}" if position else step, shown, token, position)


def _summary(page: Page) -> str:
    said = page.heading or "no heading"
    if page.errors:
        said += ": " + "; ".join(page.errors)
    return said


class Bot:
    def __init__(
        self,
        *,
        number: int,
        browser: Browser,
        physician: BotPhysician,
        deadline: float,
        max_pages: int,
        on_link: Callable[[str], None] | None = None,
    ) -> None:
        self.number = number
        self.browser = browser
        self.physician = physician
        self.deadline = deadline
        self.max_pages = max_pages
        self.on_link = on_link  # told the participant token an open link gave the bot
        self.pages = 0
        self.started = time.monotonic()
        self.base_path = urlsplit(browser.base_url).path or "/"

    def _result(self, outcome: str, page_url: str, reason: str = "") -> BotResult:
        place = where(page_url, self.base_path)
        return BotResult(
            number=self.number,
            outcome=outcome,
            step=place.step,
            path=place.path,
            reason=reason,
            pages=self.pages,
            images=self.browser.images,
            seconds=round(time.monotonic() - self.started, 3),
            throttled=self.browser.throttled,
        )

    def run_invitation(self, token: str) -> BotResult:
        start = self.browser.url(f"p/{token}/")
        try:
            page, _response = self.browser.get(start)
        except Unanswered as error:
            return self._result(STUCK, start, str(error))
        return self._visit(page)

    def run_open_link(self, path: str) -> BotResult:
        """The open link's start page, its Start button (the participant is created and its
        link told to ``on_link`` before anything is answered), then the visit."""
        url = self.browser.url(path)
        try:
            page, _response = self.browser.get(url)
            self.pages += 1
            form = page.post_form()
            if page.status != 200 or form is None:
                return self._result(FAILED, page.url, f"HTTP {page.status}: {_summary(page)}")
            target = urljoin(page.url, form.action or page.url)
            page, response = self.browser.post(target, form.filled({}), follow=False)
            if not response.is_redirect:
                return self._result(FAILED, page.url, f"HTTP {page.status}: {_summary(page)}")
            entry = urljoin(response.url, response.headers["Location"])
            if self.on_link is not None:
                self.on_link(where(entry, self.base_path).token)
            page, _response = self.browser.get(entry)
        except Unanswered as error:
            return self._result(STUCK, url, str(error))
        return self._visit(page)

    def _visit(self, page: Page) -> BotResult:
        last: tuple | None = None
        same = 0
        while True:
            self.pages += 1
            place = where(page.url, self.base_path)
            name = place.step.split(" ")[0]
            if page.status == 200 and name == "done":
                return self._result(COMPLETED, page.url)
            if page.status != 200 or name not in ANSWERED_STEPS:
                return self._result(FAILED, page.url, f"HTTP {page.status}: {_summary(page)}")
            form = page.post_form()
            if form is None:
                return self._result(FAILED, page.url, f"no form to answer: {_summary(page)}")
            marker = (page.url, tuple(sorted(form.fields)))
            same = same + 1 if marker == last else 0
            if same >= SAME_PAGE_LIMIT:
                reason = f"the page did not advance after {same} answers"
                return self._result(STUCK, page.url, reason)
            if self.pages > self.max_pages:
                return self._result(STUCK, page.url, f"more than {self.max_pages} pages")
            if time.monotonic() > self.deadline:
                return self._result(STUCK, page.url, "the visit did not end in time")
            if marker != last:
                try:
                    failed = self.browser.images_fetch(page)
                except Unanswered as error:
                    return self._result(STUCK, page.url, str(error))
                if failed:
                    return self._result(FAILED, page.url, "an image failed: " + "; ".join(failed))
            last = marker
            shown_at = time.monotonic()
            try:
                answers, click = self._answers(name, place, form)
                pairs = form.filled(answers, click=click)
            except (FormRefusal, LookupError) as error:
                return self._result(FAILED, page.url, str(error))
            if name == "trial":
                pairs = self._measured(pairs, form.fields.keys(), shown_at)
            try:
                page, _response = self.browser.post(urljoin(page.url, form.action), pairs)
            except Unanswered as error:
                return self._result(STUCK, page.url, str(error))

    def _answers(self, name: str, place: Where, form: Form) -> tuple[dict, tuple | None]:
        """What the bot's physician answers on this step (the page's own fields decide whether
        a case page is the unaided read or the answer)."""
        if name == "feedback":
            return {}, None  # the Continue button
        if name != "trial":
            return getattr(self.physician, name)(), None  # consent, screening, ...
        read = self.physician.trial_read(token=place.token, position=place.position or 0)
        if form.asks("unaided_diagnosis"):
            if read.unaided is None:
                raise FormRefusal("the page asks for an unaided read the design does not")
            return unaided_fields(read), None
        return answer_fields(read)

    def _measured(self, pairs, names, shown_at: float) -> list[tuple[str, str]]:
        """The hidden measurements the page's script fills in, in place of their empty values."""
        measured = client_measurements(names=set(names), shown_at=shown_at)
        return [
            (key, str(measured.get(key, value)) if value == "" else value) for key, value in pairs
        ]
