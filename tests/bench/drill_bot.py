"""The fault drill's participant bots: each walks invitations through consent, screening, the
cases, the questionnaire and the debrief over HTTP, as a browser would: it reads each page's form,
posts it, and on any failure (a dropped connection, a 5xx, a timeout) waits and reloads the
invitation link, which resumes at the participant's current step, and posts the same answer
again if that step is still open. Every answer the server acknowledged (the 302 back to the
invitation link) is recorded, so the drill can compare them with the database afterwards."""

from __future__ import annotations

import html.parser
import random
import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests

ELIGIBLE_SPECIALTIES = ("radiology", "internal_medicine", "emergency_medicine")
STEP_OF_PATH = re.compile(
    r"^/p/[^/]+/(?:(consent|about-you|questionnaire|debrief|done|status|withdrawn)/"
    r"|case/(\d+)/)$"
)
BACKOFF_SECONDS = (0.2, 0.4, 0.8, 1.5, 2.5, 4.0)
REQUEST_TIMEOUT = 20


@dataclass
class Outcome:
    """One HTTP exchange: when it started and ended, what it was, and its status (0: none)."""

    started: float
    ended: float
    method: str
    kind: str
    status: int
    error: str = ""


class Recorder:
    """Every exchange of every bot, and the phase (fault window) the drill was in."""

    def __init__(self) -> None:
        self.outcomes: list[Outcome] = []
        self.events: list[tuple[float, str]] = []  # (time, phase that starts then)
        self._lock = threading.Lock()

    def phase_start(self, name: str) -> float:
        now = time.monotonic()
        with self._lock:
            self.events.append((now, name))
        return now

    def record(self, outcome: Outcome) -> None:
        with self._lock:
            self.outcomes.append(outcome)


class FormParser(html.parser.HTMLParser):
    """The page's first POST form: its action and fields, and the advice's diagnosis."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.action: str | None = None
        self.hidden: dict[str, str] = {}
        self.radios: dict[str, list[str]] = {}
        self.checkboxes: dict[str, list[str]] = {}
        self.selects: dict[str, list[str]] = {}
        self.numbers: dict[str, tuple[int, int]] = {}
        self.texts: list[str] = []
        self.advised: str | None = None
        self.image: str | None = None
        self._in_form = self._done = False
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {key: value or "" for key, value in attrs}
        if "data-advised" in a:
            self.advised = a["data-advised"]
        if tag == "img" and "data-image" in a and a.get("src"):
            self.image = a["src"]
        if tag == "form" and a.get("method", "").lower() == "post" and not self._done:
            self._in_form, self.action = True, a.get("action", "")
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "hidden":
                self.hidden[name] = a.get("value", "")
            elif kind == "radio":
                self.radios.setdefault(name, []).append(a.get("value", ""))
            elif kind == "checkbox":
                self.checkboxes.setdefault(name, []).append(a.get("value", ""))
            elif kind == "number":
                self.numbers[name] = (int(a.get("min") or 0), int(a.get("max") or 30))
            elif kind in ("text", "email"):
                self.texts.append(name)
        elif tag == "textarea" and name:
            self.texts.append(name)
        elif tag == "select" and name:
            self._select = name
            self.selects[name] = []
        elif tag == "option" and self._select and a.get("value"):
            self.selects[self._select].append(a["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def page_step(url: str) -> str | None:
    """'consent', 'about-you', 'case:3', ... from a participant URL; None for anything else."""
    match = STEP_OF_PATH.match(urlsplit(url).path)
    if match is None:
        return None
    return f"case:{match.group(2)}" if match.group(2) else match.group(1)


@dataclass
class Walk:
    """What one bot did with one invitation: the answers the server acknowledged, every answer
    it sent (by step), how it ended."""

    token: str
    serial: int
    acknowledged: dict[str, dict] = field(default_factory=dict)
    sent: dict[str, dict] = field(default_factory=dict)
    retries: int = 0
    completion_code: str = ""
    final_step: str = ""
    stuck: str = ""


class Bot:
    def __init__(self, *, base_url: str, recorder: Recorder, seed: int) -> None:
        self.base_url = base_url.rstrip("/")
        self.recorder = recorder
        self.rnd = random.Random(seed)

    def _exchange(self, session, method, url, kind, data=None):
        started = time.monotonic()
        try:
            response = session.request(
                method, url, data=data, allow_redirects=False, timeout=REQUEST_TIMEOUT
            )
        except requests.RequestException as error:
            self.recorder.record(
                Outcome(started, time.monotonic(), method, kind, 0, type(error).__name__)
            )
            return None
        self.recorder.record(Outcome(started, time.monotonic(), method, kind, response.status_code))
        return response

    def _load(self, session, url, walk):
        """GET `url` following redirects; on failure wait and reload the invitation link, as a
        person would. Returns (final URL, response) or (None, None) after too many failures."""
        entry = f"{self.base_url}/p/{walk.token}/"
        for attempt in range(40):
            response = self._exchange(session, "GET", url, "page")
            hops = 0
            while response is not None and response.status_code in (301, 302) and hops < 10:
                url = urljoin(url, response.headers["Location"])
                response, hops = self._exchange(session, "GET", url, "page"), hops + 1
            if response is not None and response.status_code in (200, 403):
                return url, response
            walk.retries += 1
            time.sleep(BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS) - 1)])
            url = entry
        return None, None

    def _answer(self, step: str, form: FormParser, walk: Walk) -> dict:
        """The answer to a step: chosen once, so that a resent form is the same form."""
        if step in walk.sent:
            return walk.sent[step]
        rnd = self.rnd
        if step == "consent":
            answer = {"agree": "yes"}
        elif step == "about-you":
            answer = {
                "specialty": rnd.choice(ELIGIBLE_SPECIALTIES),
                "training_level": rnd.choice(form.selects["training_level"]),
                "years_experience": str(rnd.randint(0, 40)),
                "prior_ai_use": rnd.choice(form.radios["prior_ai_use"]),
            }
        elif step.startswith("case:") and "decision" in form.radios:
            decision = rnd.choice(form.radios["decision"])
            diagnoses = form.selects["final_diagnosis"]
            answer = {
                "advice_rating": rnd.choice(form.radios["advice_rating"]),
                "decision": decision,
                "final_diagnosis": form.advised if decision == "accept" else rnd.choice(diagnoses),
                "confidence": rnd.choice(form.radios["confidence"]),
                # A marker per answer: the stored row must carry its own position.
                "viewer_zoom": step.split(":")[1],
                "viewer_pan": str(walk.serial),
            }
        elif step.startswith("case:"):  # read-then-reveal: the unaided read first
            answer = {
                "unaided_diagnosis": rnd.choice(form.selects["unaided_diagnosis"]),
                "unaided_confidence": rnd.choice(form.radios["unaided_confidence"]),
            }
            step = f"{step}:unaided"
        elif step == "questionnaire":
            answer = {name: rnd.choice(values) for name, values in form.radios.items()}
            for name, (low, high) in form.numbers.items():
                answer[name] = str(rnd.randint(low, high))
            for name in form.texts:
                answer[name] = f"drill participant {walk.serial}"
        elif step == "debrief":
            answer = {"choice": "keep"}
        else:
            raise ValueError(f"no answer for step {step}")
        walk.sent[step] = answer
        return answer

    def walk(self, token: str, serial: int) -> Walk:
        """One invitation from the link to the completion code (or until it cannot go on)."""
        walk = Walk(token=token, serial=serial)
        session = requests.Session()
        entry = f"{self.base_url}/p/{token}/"
        url = entry
        for _ in range(200):
            url, response = self._load(session, url, walk)
            if response is None:
                walk.stuck = "the invitation link kept failing"
                break
            step = page_step(url)
            walk.final_step = step or url
            if step == "done":
                code = re.search(r'id="completion-code">\s*([^<\s]+)', response.text)
                walk.completion_code = code.group(1) if code else "?"
                break
            if step in (None, "status", "withdrawn") or response.status_code != 200:
                walk.stuck = f"ended at {step or url} ({response.status_code})"
                break
            form = FormParser()
            form.feed(response.text)
            if step.startswith("case:") and form.image:
                self._exchange(session, "GET", urljoin(url, form.image), "image")
            answer = self._answer(step, form, walk)
            key = f"{step}:unaided" if "unaided_diagnosis" in answer else step
            data = {**answer, "csrfmiddlewaretoken": form.hidden.get("csrfmiddlewaretoken", "")}
            target = urljoin(url, form.action or url)
            posted = self._exchange(session, "POST", target, "answer", data)
            # Stored: the page sends the participant back to the invitation link (an unaided
            # read of read-then-reveal: back to the same case, now with its advice).
            acknowledged_at = (entry, url) if key.endswith(":unaided") else (entry,)
            if (
                posted is not None
                and posted.status_code == 302
                and urljoin(url, posted.headers["Location"]) in acknowledged_at
            ):
                walk.acknowledged[key] = answer
                url = urljoin(url, posted.headers["Location"])
                continue
            # Anything else (no answer, a 5xx, a form shown again): wait, then reload the
            # invitation link; the server says where the participant is.
            walk.retries += 1
            time.sleep(self.rnd.choice(BACKOFF_SECONDS[:3]))
            url = entry
        else:
            walk.stuck = "more than 200 pages"
        return walk
