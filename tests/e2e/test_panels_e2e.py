"""A participant arrives from a Prolific-style link in a real browser, takes part, and the return
link takes them to the configured panel page with their completion code; a screened-out one goes
to the screen-out URL. The panel is a page the browser gets from a route fulfilled by the test
(app.prolific.example), which records what the browser asked it for."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from study import services
from study.core import panels
from study.models import Participant
from tests.factories import answer_all

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PANEL_HOST = "app.prolific.example"
PID = "5f3a9c0e1b2d4e6f7a8b9c0d"
STUDY_ID = "60a1b2c3d4e5f6a7b8c9d0e1"
SESSION_ID = "6b7c8d9e0f1a2b3c4d5e6f7a"
PANEL = panels.PanelConfig(
    id_param="PROLIFIC_PID",
    session_params=("STUDY_ID", "SESSION_ID"),
    completion_url=f"https://{PANEL_HOST}/submissions/complete?cc={{code}}",
    screenout_url=f"https://{PANEL_HOST}/submissions/complete?cc=SCREENED",
)


def _panel_served(page: Page) -> list[dict]:
    """Fulfil every request to the panel's host with a small page; return what was asked."""
    asked: list[dict] = []

    def fulfil(route: Route) -> None:
        asked.append({"url": route.request.url, "headers": route.request.headers})
        route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            body="<!doctype html><title>Panel</title><h1>Submission received</h1>",
        )

    page.route(f"https://{PANEL_HOST}/**", fulfil)
    return asked


def _arrive(page: Page, live_server, study, pid: str = PID) -> None:
    query = f"PROLIFIC_PID={pid}&STUDY_ID={STUDY_ID}&SESSION_ID={SESSION_ID}"
    page.goto(f"{live_server.url}/s/{study.self_enrolment_token}/?{query}")
    expect(page.get_by_role("heading", level=1)).to_have_text(study.title)
    page.locator("form button[type=submit]").click()  # Start
    expect(page).to_have_url(re.compile(r"/consent/$"))
    page.locator("input[name=agree][value=yes]").check()
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/about-you/$"))


def _screen(page: Page, specialty: str) -> None:
    page.locator("select[name=specialty]").select_option(specialty)
    page.locator("select[name=training_level]").select_option("attending")
    page.locator("input[name=years_experience]").fill("12")
    page.locator("input[name=prior_ai_use][value=never]").check()
    page.locator("form button[type=submit]").click()


@pytest.fixture
def panel_study(reference_study):
    study = services.self_enrolment_enable(study=reference_study())
    return services.panel_settings_set(study=study, config=PANEL)


def test_given_a_prolific_link_when_the_participant_finishes_then_the_panel_gets_their_code(
    page, live_server, panel_study
):
    asked = _panel_served(page)
    _arrive(page, live_server, panel_study)
    _screen(page, "radiology")
    expect(page).to_have_url(re.compile(r"/case/1/$"))
    participant = Participant.objects.get(study=panel_study, external_id=PID)
    assert participant.panel_params == {"STUDY_ID": STUDY_ID, "SESSION_ID": SESSION_ID}
    # The cases are the other e2e tests' subject: answered here through the services.
    answer_all(participant)
    services.questionnaire_record(
        participant=participant, answers={"ai_attitude": 4, "advice_usefulness": 5, "comments": ""}
    )
    page.reload()
    expect(page).to_have_url(re.compile(r"/debrief/$"))
    page.locator("input[name=choice][value=keep]").check()
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/done/$"))
    participant.refresh_from_db()
    code = participant.completion_code
    expect(page.locator("#completion-code")).to_have_text(code)
    expect(page.locator("main")).not_to_contain_text(PID)
    link = page.get_by_role("link", name=f"Return to {PANEL_HOST} to finish")
    expect(link).to_be_visible()

    link.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Submission received")
    final = urlsplit(page.url)
    assert (final.scheme, final.hostname, final.path) == (
        "https",
        PANEL_HOST,
        "/submissions/complete",
    )
    assert parse_qs(final.query) == {"cc": [code]}
    assert [request["url"] for request in asked] == [page.url]
    # No Referer (rel=noreferrer, and the same-origin referrer policy): the panel never sees
    # the participant's resume address.
    assert "referer" not in asked[0]["headers"]


def test_given_a_prolific_link_when_opened_again_then_the_participant_resumes(
    page, live_server, panel_study
):
    _arrive(page, live_server, panel_study)
    participant = Participant.objects.get(study=panel_study, external_id=PID)

    page.goto(
        f"{live_server.url}/s/{panel_study.self_enrolment_token}/?PROLIFIC_PID={PID}"
        f"&STUDY_ID={STUDY_ID}&SESSION_ID={SESSION_ID}"
    )

    expect(page).to_have_url(f"{live_server.url}/p/{participant.token}/about-you/")
    assert Participant.objects.filter(study=panel_study).count() == 1


def test_given_a_prolific_link_when_screened_out_then_the_participant_returns_to_the_screenout_url(
    page, live_server, panel_study
):
    asked = _panel_served(page)
    _arrive(page, live_server, panel_study)
    _screen(page, "other")
    expect(page).to_have_url(re.compile(r"/status/$"))

    page.get_by_role("link", name=f"Return to {PANEL_HOST}", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Submission received")
    assert page.url == PANEL.screenout_url
    assert [request["url"] for request in asked] == [PANEL.screenout_url]
