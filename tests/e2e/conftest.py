"""Real-browser fixtures: one headless Debian Chromium for the whole e2e run, a fresh browser
context (cookies, cache, viewport) per test, and participants placed at any step of the flow.

Playwright's sync API runs an asyncio loop in the test thread, so Django's async-safety guard would
refuse the ORM calls the tests make to arrange and check data; the live server runs in its own
thread and is unaffected."""

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from study import demo, services
from study.core import imaging
from study.core.imaging.samples import rg1_variant
from study.models import Case, Participant, Study
from study.services.cases import imaging_uid_secret
from tests.factories import RADIOLOGIST, answer_all, gaube_study

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LAPTOP = {"width": 1366, "height": 768}
# Every wait is bounded: a broken page fails in seconds instead of hanging the suite.
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)

STEPS = ("consent", "screening", "trial", "questionnaire", "debrief", "done")


def _chromium_path() -> str:
    # Debian's Chromium, never a browser downloaded by `playwright install`.
    path = os.environ.get("TRUSTLAB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        raise RuntimeError(
            f"e2e tests need Chromium at {path}: install it with `apt-get install -y chromium` "
            "or set TRUSTLAB_CHROMIUM to its path"
        )
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=_chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Open further contexts (a second device, a reopened browser); all are closed at the end,
    and an uncaught script error, or anything the Content-Security-Policy blocked (a script, a
    style, an image, a form target), on any page fails the test there."""
    opened: list[BrowserContext] = []
    script_errors: list[str] = []
    blocked: list[str] = []

    def watch(page: Page) -> None:
        page.on(
            "console",
            lambda message: (
                blocked.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )

    def open_context(**options) -> BrowserContext:
        options.setdefault("viewport", LAPTOP)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("weberror", lambda error: script_errors.append(str(error.error)))
        context.on("page", watch)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()
    assert script_errors == [], f"uncaught script errors in the page: {script_errors}"
    assert blocked == [], f"the Content-Security-Policy blocked: {blocked}"


@pytest.fixture
def page(new_context) -> Page:
    return new_context().new_page()


@pytest.fixture
def invitation_url(live_server) -> Callable[[Participant], str]:
    return lambda participant: f"{live_server.url}/p/{participant.token}/"


def _participant_at(study: Study, step: str) -> Participant:
    if step not in STEPS:
        raise ValueError(f"unknown step {step!r}; expected one of {STEPS}")
    (participant,) = services.invitations_create(study=study, count=1)
    if step == "consent":
        return participant
    participant = services.participant_consent(participant=participant, agreed=True)
    if step == "screening":
        return participant
    participant = services.participant_enrol(participant=participant, screening=RADIOLOGIST)
    if step == "trial":
        return participant
    answer_all(participant)
    if step == "questionnaire":
        return participant
    participant = services.questionnaire_record(
        participant=participant, answers={"ai_attitude": 4, "advice_usefulness": 5, "comments": ""}
    )
    if step == "debrief":
        return participant
    return services.participant_complete(participant=participant, withdraw=False)


@pytest.fixture
def participant_at() -> Callable[[Study, str], Participant]:
    """A participant whose next page is the given step, arranged through the services the pages
    use (consent, enrolment, answers), so a test starts where it needs to be."""
    return _participant_at


@pytest.fixture
def reference_study() -> Callable[..., Study]:
    """The Gaube 2021 design with the demo's own consent and debrief texts."""

    def create(**overrides) -> Study:
        overrides.setdefault("consent_text", demo.CONSENT_TEXT)
        overrides.setdefault("debrief_text", demo.DEBRIEF_TEXT)
        return gaube_study(**overrides)

    return create


@pytest.fixture(scope="session")
def demo_radiograph():
    """The demo's real chest radiograph (pydicom-data RG1) through the imaging pipeline, once."""
    variant = demo.CASES[0].image_variant
    return imaging.dicom_process(
        rg1_variant(variant),
        filename=f"{demo.CASES[0].code}.dcm",
        uid_secret=imaging_uid_secret(),
    )


@pytest.fixture
def with_images(demo_radiograph) -> Callable[[Study], Study]:
    """Give every case of a study the demo radiograph (display, preview and window presets)."""

    def attach(study: Study) -> Study:
        for case in Case.objects.filter(study=study):
            services.case_image_attach(case=case, processed=demo_radiograph)
        return study

    return attach
