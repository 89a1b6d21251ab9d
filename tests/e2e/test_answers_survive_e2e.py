"""Answers survive the browser (issue 11, point 3), in a real browser: half-filled answers come
back after a reload (kept in the tab's session storage, nothing posted before submit), the back
button after a saved case says so on the current case, a refused form puts the focus on its
error summary on every page, and the summary's entries are sentences."""

import re

import pytest
from playwright.sync_api import Page, expect

from study.models import Response

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STORED_JS = """() => Object.keys(sessionStorage).filter(key => key.startsWith("trustlab:answers:"))
  .map(key => [key, JSON.parse(sessionStorage.getItem(key))])"""


def _rating(page: Page, value: int):
    return page.get_by_role(
        "group", name=re.compile(r"^How would you rate the quality")
    ).get_by_label(str(value), exact=True)


def _confidence(page: Page, value: int):
    return page.get_by_role("group", name=re.compile(r"^How confident are you")).get_by_label(
        str(value), exact=True
    )


def _posts(page: Page) -> list[str]:
    posted: list[str] = []
    page.on(
        "request", lambda request: posted.append(request.url) if request.method == "POST" else None
    )
    return posted


def test_given_half_filled_answers_when_the_case_is_reloaded_then_they_are_back_and_unsent(
    page, reference_study, participant_at, invitation_url
):
    participant = participant_at(reference_study(), "trial")
    page.goto(invitation_url(participant))
    posted = _posts(page)
    _rating(page, 3).check()
    page.get_by_label("Slightly modify the advice", exact=True).check()
    page.get_by_label("Your final diagnosis").select_option("pneumothorax")

    page.reload()

    expect(_rating(page, 3)).to_be_checked()
    expect(page.get_by_label("Slightly modify the advice", exact=True)).to_be_checked()
    expect(page.get_by_label("Your final diagnosis")).to_have_value("pneumothorax")
    expect(_confidence(page, 1)).not_to_be_checked()
    assert posted == []
    assert not Response.objects.filter(trial__participant=participant).exists()
    # The page's own measurements start again with the page: they are never kept.
    ((key, kept),) = page.evaluate(STORED_JS)
    assert key.endswith(f"/p/{participant.token}/case/1/#0")
    assert kept == {
        "advice_rating": "3",
        "decision": "modify",
        "final_diagnosis": "pneumothorax",
    }

    _confidence(page, 6).check()
    page.get_by_role("button", name="Save and continue").click()

    expect(page.locator("#progress-label")).to_have_text("Case 2 of 8")
    stored = Response.objects.get(trial__participant=participant, trial__position=1)
    assert (stored.advice_rating, stored.decision, stored.final_diagnosis, stored.confidence) == (
        3,
        "modify",
        "pneumothorax",
        6,
    )
    # Nothing stale on the next case: its questions are empty and case 1's entry is gone.
    assert page.locator("form[data-trial-form] input:checked").count() == 0
    expect(page.get_by_label("Your final diagnosis")).to_have_value("")
    assert page.evaluate(STORED_JS) == []


def test_given_a_refused_answer_when_the_page_comes_back_then_the_posted_values_are_not_overwritten(
    page, reference_study, participant_at, invitation_url
):
    participant = participant_at(reference_study(), "trial")
    page.goto(invitation_url(participant))
    _rating(page, 2).check()
    page.get_by_label("Reject the advice", exact=True).check()

    page.get_by_role("button", name="Save and continue").click()  # no diagnosis, no confidence

    expect(page.locator("#error-summary")).to_be_visible()
    expect(_rating(page, 2)).to_be_checked()
    expect(page.get_by_label("Reject the advice", exact=True)).to_be_checked()
    assert page.evaluate(STORED_JS) == []


def test_given_a_questionnaire_and_screening_when_reloaded_then_typed_and_chosen_answers_are_back(
    page, reference_study, participant_at, invitation_url
):
    study = reference_study()
    screening = participant_at(study, "screening")
    page.goto(invitation_url(screening))
    page.get_by_label("Your medical specialty").select_option("radiology")
    page.get_by_label("Years since completing medical school").fill("12")
    page.get_by_label("Never", exact=True).check()
    page.reload()
    expect(page.get_by_label("Your medical specialty")).to_have_value("radiology")
    expect(page.get_by_label("Your training level")).to_have_value("")
    expect(page.get_by_label("Years since completing medical school")).to_have_value("12")
    expect(page.get_by_label("Never", exact=True)).to_be_checked()

    questionnaire = participant_at(study, "questionnaire")
    page.goto(invitation_url(questionnaire))
    page.get_by_label("Comments (optional)").fill("Half a thought")
    page.get_by_role("group", name=re.compile(r"^How useful was the advice")).get_by_label(
        "6", exact=True
    ).check()
    page.reload()
    expect(page.get_by_label("Comments (optional)")).to_have_value("Half a thought")
    expect(
        page.get_by_role("group", name=re.compile(r"^How useful was the advice")).get_by_label(
            "6", exact=True
        )
    ).to_be_checked()


def test_given_a_saved_case_when_back_is_pressed_then_the_next_case_says_case_1_is_saved(
    page, reference_study, participant_at, invitation_url
):
    participant = participant_at(reference_study(), "trial")
    page.goto(invitation_url(participant))
    _rating(page, 5).check()
    page.get_by_label("Reject the advice", exact=True).check()
    page.get_by_label("Your final diagnosis").select_option("normal")
    _confidence(page, 4).check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#progress-label")).to_have_text("Case 2 of 8")
    expect(page.get_by_role("status")).to_have_count(0)

    page.go_back()

    notice = page.get_by_role("status")
    expect(notice).to_have_text("Case 1 is saved. You are on case 2 of 8.")
    expect(page.locator("#progress-label")).to_have_text("Case 2 of 8")
    # The notice's marker leaves the address once shown: a reload does not repeat it.
    expect(page).to_have_url(re.compile(r"/case/2/$"))
    assert notice.bounding_box()["y"] < 120  # at the top of the page
    # The notice takes its line from the panels: the laptop page still does not scroll.
    assert page.evaluate("() => document.scrollingElement.scrollHeight <= innerHeight + 1")
    submit = page.get_by_role("button", name="Save and continue").bounding_box()
    assert submit["y"] + submit["height"] > 768  # below the fold, in the answer panel's scroll
    assert Response.objects.filter(trial__participant=participant).count() == 1
    page.reload()
    expect(page.get_by_role("status")).to_have_count(0)


def test_given_a_forged_saved_marker_then_no_notice_is_shown(
    page, reference_study, participant_at, invitation_url
):
    participant = participant_at(reference_study(), "trial")

    page.goto(invitation_url(participant) + "case/1/?saved=3")

    expect(page.locator("#progress-label")).to_have_text("Case 1 of 8")
    expect(page.get_by_role("status")).to_have_count(0)


def test_given_a_page_restored_from_the_back_forward_cache_then_it_is_fetched_again(
    page, reference_study, participant_at, invitation_url
):
    """A persisted pageshow (the back-forward cache) reloads: the server, not a stale copy,
    decides which step shows."""
    participant = participant_at(reference_study(), "trial")
    page.goto(invitation_url(participant))
    expect(page.locator("#progress-label")).to_have_text("Case 1 of 8")

    with page.expect_navigation():
        page.evaluate(
            "() => window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))"
        )

    expect(page.locator("#progress-label")).to_have_text("Case 1 of 8")


EMPTY_SUBMITS = {
    "consent": ("Continue", "Please choose whether you agree to take part."),
    "screening": ("Start the cases", "“Your medical specialty” needs an answer."),
    "trial": ("Save and continue", "Please rate the quality of the advice."),
    "questionnaire": ("Continue", "“In general, how much do you trust AI systems"),
}


@pytest.mark.parametrize("step", EMPTY_SUBMITS)
def test_given_an_empty_submit_on_each_form_page_then_the_error_summary_has_the_focus_in_sentences(
    step, page, reference_study, participant_at, invitation_url
):
    participant = participant_at(reference_study(), step)
    page.goto(invitation_url(participant))
    button, first_entry = EMPTY_SUBMITS[step]

    page.get_by_role("button", name=button).click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    page.wait_for_function("() => document.activeElement.id === 'error-summary'")
    entries = summary.get_by_role("listitem").all_inner_texts()
    assert entries[0].startswith(first_entry)
    assert "?:" not in summary.inner_text()
    assert [entry for entry in entries if re.search(r"[.?!]”?[.:]$|[?.]:", entry)] == []
    assert all(entry.rstrip("”").endswith((".", "?")) for entry in entries), entries
    assert all(
        link.get_attribute("href").startswith("#id_") for link in summary.get_by_role("link").all()
    )


def test_given_missing_answers_on_a_trial_then_each_summary_entry_is_the_error_sentence(
    page, reference_study, participant_at, invitation_url
):
    participant = participant_at(reference_study(), "trial")
    page.goto(invitation_url(participant))

    page.get_by_role("button", name="Save and continue").click()

    assert page.locator("#error-summary").get_by_role("link").all_inner_texts() == [
        "Please rate the quality of the advice.",
        "Please choose whether you accept, modify or reject it.",
        "Please choose your final diagnosis.",
        "Please rate your confidence.",
    ]
