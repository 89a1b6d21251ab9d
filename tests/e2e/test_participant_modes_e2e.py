"""The simple-trust and category designs in a real browser: the agree/disagree click is timed by
the page's script from the advice shown (client_response_ms) and by the server, and a category
read stores the category chosen from the radio list."""

import re
import time

import pytest
from playwright.sync_api import expect

from study.models import Response
from tests.study.participant.modes import participant_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _stored(participant, position: int) -> Response:
    return Response.objects.select_related("trial").get(
        trial__participant=participant, trial__position=position
    )


def test_agree_disagree_stores_the_button_and_a_plausible_client_decision_time(
    page, reference_study, with_images, invitation_url
):
    study = with_images(reference_study(response_mode="agree_disagree", ask_rating=False))
    participant = participant_in(study, "ai")
    opened = time.monotonic()
    page.goto(invitation_url(participant))
    expect(page.locator("#progress-label")).to_have_text("Case 1 of 8")
    expect(page.get_by_role("button", name="Save and continue")).to_have_count(0)
    page.get_by_role("group", name=re.compile(r"^How confident")).get_by_label(
        "5", exact=True
    ).check()
    page.wait_for_timeout(800)  # the reader considers the advice
    page.get_by_role("button", name="Agree", exact=True).click()
    expect(page.locator("#progress-label")).to_have_text("Case 2 of 8")
    elapsed_ms = (time.monotonic() - opened) * 1000

    first = _stored(participant, 1)
    assert (first.response_mode, first.agreed, first.confidence) == ("agree_disagree", True, 5)
    assert first.timing_flag == ""
    assert 800 <= first.client_response_ms <= elapsed_ms
    server_ms = (first.answered_at - first.trial.advice_shown_at).total_seconds() * 1000
    assert first.client_response_ms <= server_ms + 2000

    page.get_by_role("group", name=re.compile(r"^How confident")).get_by_label(
        "2", exact=True
    ).check()
    page.get_by_role("button", name="Disagree", exact=True).click()
    expect(page.locator("#progress-label")).to_have_text("Case 3 of 8")
    second = _stored(participant, 2)
    assert (second.agreed, second.confidence, second.decision) == (False, 2, "")
    assert second.client_response_ms > 0


def test_a_category_read_stores_the_category_chosen(page, reference_study, invitation_url):
    study = reference_study(response_mode="category", ask_rating=False, ask_decision=False)
    participant = participant_in(study, "human")
    page.goto(invitation_url(participant))
    category = page.get_by_role("group", name="Your category")
    expect(category.get_by_role("radio")).to_have_count(study.diagnoses.count())
    page.get_by_role("button", name="Save and continue").click()  # nothing chosen: refused
    expect(page.locator("#error-summary").get_by_role("link").first).to_have_text(
        "Please choose a category."
    )

    page.get_by_role("group", name="Your category").get_by_label("Pleural effusion").check()
    page.get_by_role("group", name=re.compile(r"^How confident")).get_by_label(
        "6", exact=True
    ).check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#progress-label")).to_have_text("Case 2 of 8")

    stored = _stored(participant, 1)
    assert (stored.response_mode, stored.final_diagnosis, stored.confidence) == (
        "category",
        "pleural_effusion",
        6,
    )
    assert (stored.advice_rating, stored.decision, stored.agreed) == (None, "", None)
    assert stored.client_response_ms > 0
