"""A person takes part in a real browser: invitation link to completion code, resuming after a
closed browser, the back button and a double click, each checked against what the database holds."""

import re

import pytest
from playwright.sync_api import Page, expect

from study import demo
from study.models import Participant, Response

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DIAGNOSIS_LABELS = dict(demo.DIAGNOSES)
DECISION_LABELS = {
    "accept": "Accept the advice",
    "modify": "Slightly modify the advice",
    "reject": "Reject the advice",
}


def _answer_for(number: int) -> dict:
    """A different, known answer for each case, so every stored field can be checked exactly."""
    return {
        "advice_rating": number % 7 + 1,
        # accept pins the final diagnosis to the advised one: test_answer_rule_e2e.py covers it
        "decision": ("modify", "reject")[number % 2],
        "final_diagnosis": demo.DIAGNOSES[number % len(demo.DIAGNOSES)][0],
        "confidence": (number + 2) % 7 + 1,
    }


def _trial_fill(page: Page, answer: dict) -> None:
    page.get_by_role("group", name=re.compile(r"^How would you rate the quality")).get_by_label(
        str(answer["advice_rating"]), exact=True
    ).check()
    page.get_by_label(DECISION_LABELS[answer["decision"]], exact=True).check()
    page.get_by_label("Your final diagnosis").select_option(
        label=DIAGNOSIS_LABELS[answer["final_diagnosis"]]
    )
    page.get_by_role("group", name=re.compile(r"^How confident are you")).get_by_label(
        str(answer["confidence"]), exact=True
    ).check()


def _tab_to(page: Page, selector: str, *, limit: int = 30) -> None:
    """Press Tab until the element matching `selector` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} was not reached with {limit} presses of Tab")


def _stored_answers(participant: Participant) -> list[dict]:
    return list(
        Response.objects.filter(trial__participant=participant)
        .order_by("trial__position")
        .values("advice_rating", "decision", "final_diagnosis", "confidence")
    )


def _case_url(number: int) -> re.Pattern:
    return re.compile(rf"/case/{number}/$")


def test_given_an_invitation_link_when_a_person_takes_part_then_the_code_shown_is_the_stored_one(
    page, reference_study, invitation_url, participant_at
):
    study = reference_study()
    participant = participant_at(study, "consent")

    page.goto(invitation_url(participant))

    expect(page).to_have_url(re.compile(r"/consent/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Information and consent")
    _tab_to(page, "input[name=agree][value=yes]")
    page.keyboard.press("Space")
    expect(page.get_by_label("I agree to take part", exact=True)).to_be_checked()
    _tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/about-you/$"))
    page.get_by_label("Your medical specialty").select_option("radiology")
    page.get_by_label("Your training level").select_option("attending")
    page.get_by_label("Years since completing medical school").fill("12")
    page.get_by_label("Never", exact=True).check()
    page.get_by_role("button", name="Start the cases").click()

    participant.refresh_from_db()
    assert (participant.status, participant.stratum) == ("in_progress", "radiology")
    for number in range(1, 9):
        expect(page).to_have_url(_case_url(number))
        expect(page.locator("#progress-label")).to_have_text(f"Case {number} of 8")
        expect(page.locator("#progress-label")).to_be_visible()
        expect(
            page.get_by_role("heading", name=f"Advice from {participant.arm.label}")
        ).to_be_visible()
        _trial_fill(page, _answer_for(number))
        page.get_by_role("button", name="Save and continue").click()

    expect(page).to_have_url(re.compile(r"/questionnaire/$"))
    page.get_by_role(
        "group", name=re.compile(r"^In general, how much do you trust AI")
    ).get_by_label("3", exact=True).check()
    page.get_by_role("group", name=re.compile(r"^How useful was the advice")).get_by_label(
        "6", exact=True
    ).check()
    page.get_by_label("Comments (optional)").fill("Clear images.")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(r"/debrief/$"))
    debrief = page.locator("main")
    expect(debrief).to_contain_text("all advice was written by people for this study")
    expect(debrief).to_contain_text("some of the advice was deliberately wrong")
    expect(page.get_by_label("Keep my answers in the study")).to_be_checked()
    page.get_by_role("button", name="Finish").click()

    expect(page).to_have_url(re.compile(r"/done/$"))
    participant.refresh_from_db()
    assert participant.status == "completed"
    expect(page.locator("#completion-code")).to_have_text(participant.completion_code)
    assert re.fullmatch(r"TL-[A-Z2-9]{4}-[A-Z2-9]{4}", participant.completion_code)
    assert _stored_answers(participant) == [_answer_for(number) for number in range(1, 9)]
    assert participant.questionnaire == {
        "ai_attitude": 3,
        "advice_usefulness": 6,
        "comments": "Clear images.",
    }


def test_given_three_answered_cases_when_the_link_is_reopened_in_a_new_browser_then_case_4_shows(
    new_context, reference_study, invitation_url, participant_at
):
    participant = participant_at(reference_study(), "trial")
    first_visit = new_context()
    page = first_visit.new_page()
    page.goto(invitation_url(participant))
    for number in (1, 2, 3):
        expect(page.locator("#progress-label")).to_have_text(f"Case {number} of 8")
        _trial_fill(page, _answer_for(number))
        page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(_case_url(4))
    first_visit.close()

    page = new_context().new_page()
    page.goto(invitation_url(participant))

    expect(page).to_have_url(_case_url(4))
    expect(page.locator("#progress-label")).to_have_text("Case 4 of 8")
    assert _stored_answers(participant) == [_answer_for(number) for number in (1, 2, 3)]


def test_given_an_answered_case_when_back_is_pressed_then_the_next_case_shows_and_nothing_is_added(
    page, reference_study, invitation_url, participant_at
):
    participant = participant_at(reference_study(), "trial")
    page.goto(invitation_url(participant))
    _trial_fill(page, _answer_for(1))
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(_case_url(2))

    page.go_back()

    expect(page).to_have_url(_case_url(2))
    expect(page.locator("#progress-label")).to_have_text("Case 2 of 8")
    assert _stored_answers(participant) == [_answer_for(1)]


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_given_a_double_click_on_save_then_exactly_one_response_is_stored(
    javascript, new_context, reference_study, invitation_url, participant_at
):
    participant = participant_at(reference_study(), "trial")
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto(invitation_url(participant))
    _trial_fill(page, _answer_for(1))

    page.get_by_role("button", name="Save and continue").dblclick()

    expect(page).to_have_url(_case_url(2))
    expect(page.locator("#progress-label")).to_have_text("Case 2 of 8")
    assert _stored_answers(participant) == [_answer_for(1)]


def test_given_a_stale_second_tab_when_it_posts_an_answered_case_then_the_first_answer_stays(
    new_context, reference_study, invitation_url, participant_at
):
    # Two tabs on the same case: the browser really posts twice, and only the server's rule (an
    # answered trial is never answered again) keeps one answer.
    participant = participant_at(reference_study(), "trial")
    context = new_context()
    first_tab, second_tab = context.new_page(), context.new_page()
    first_tab.goto(invitation_url(participant))
    second_tab.goto(invitation_url(participant))
    expect(second_tab).to_have_url(_case_url(1))
    # A background tab gets no animation frames, which Playwright waits for: bring each forward.
    first_tab.bring_to_front()
    _trial_fill(first_tab, _answer_for(1))
    first_tab.get_by_role("button", name="Save and continue").click()
    expect(first_tab).to_have_url(_case_url(2))

    second_tab.bring_to_front()
    _trial_fill(second_tab, _answer_for(2))
    with second_tab.expect_request(lambda request: request.method == "POST") as posted:
        second_tab.get_by_role("button", name="Save and continue").click()

    assert re.search(r"/case/1/$", posted.value.url)
    expect(second_tab).to_have_url(_case_url(2))
    expect(second_tab.locator("#progress-label")).to_have_text("Case 2 of 8")
    assert _stored_answers(participant) == [_answer_for(1)]
