"""The answer rule in a real browser: accepting the advice chooses its diagnosis as the final
one, and a contradiction (accept, then another diagnosis) is refused next to the field."""

import re

import pytest
from playwright.sync_api import Page, expect

from study import demo
from study.models import Response

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LABELS = dict(demo.DIAGNOSES)


def _rate_and_confide(page: Page) -> None:
    page.get_by_role("group", name=re.compile(r"^How would you rate the quality")).get_by_label(
        "5", exact=True
    ).check()
    page.get_by_role("group", name=re.compile(r"^How confident are you")).get_by_label(
        "6", exact=True
    ).check()


def test_given_accept_then_the_advised_diagnosis_is_chosen_and_stored(
    page, reference_study, invitation_url, participant_at
):
    participant = participant_at(reference_study(), "trial")
    advised = participant.trials.get(position=1).advice.diagnosis
    page.goto(invitation_url(participant))
    final = page.get_by_label("Your final diagnosis")
    expect(final).to_have_value("")  # nothing is suggested before the participant decides

    page.get_by_label("Accept the advice", exact=True).check()

    expect(final).to_have_value(advised)
    _rate_and_confide(page)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#progress-label")).to_have_text("Case 2 of 8")
    stored = Response.objects.get(trial__participant=participant, trial__position=1)
    assert (stored.decision, stored.final_diagnosis) == ("accept", advised)


def test_given_accept_with_another_diagnosis_then_the_field_says_why_and_nothing_is_stored(
    page, reference_study, invitation_url, participant_at
):
    participant = participant_at(reference_study(), "trial")
    advised = participant.trials.get(position=1).advice.diagnosis
    other = next(code for code, _ in demo.DIAGNOSES if code != advised)
    page.goto(invitation_url(participant))
    page.get_by_label("Accept the advice", exact=True).check()
    page.get_by_label("Your final diagnosis").select_option(label=LABELS[other])
    _rate_and_confide(page)

    page.get_by_role("button", name="Save and continue").click()

    error = page.locator("#id_final_diagnosis_error")
    expect(error).to_have_text(
        "you accepted the advice, so your final diagnosis is the advised one; choose it, or "
        "choose modify or reject"
    )
    expect(page.locator("#progress-label")).to_have_text("Case 1 of 8")
    assert not Response.objects.filter(trial__participant=participant).exists()
