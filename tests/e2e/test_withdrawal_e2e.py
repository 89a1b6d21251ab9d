"""Withdrawing in a real browser, mid-trial: the link on the case page, the confirmation, the
withdrawn page, and what the database keeps (the fact, the time, the step, who asked)."""

import re

import pytest
from playwright.sync_api import expect

from study import services
from study.models import AuditEvent, Participant

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _answer_first_cases(participant: Participant, count: int) -> None:
    for trial in participant.trials.order_by("position")[:count]:
        services.response_record(
            trial=services.trial_show(trial=trial),
            answer=services.Answer(
                advice_rating=4, decision="reject", final_diagnosis="normal", confidence=3
            ),
        )


def test_given_a_participant_mid_trial_when_they_withdraw_then_they_see_the_withdrawn_page(
    page, reference_study, participant_at, invitation_url
):
    participant = participant_at(reference_study(), "trial")
    _answer_first_cases(participant, 3)
    page.goto(invitation_url(participant))
    expect(page).to_have_url(re.compile(r"/case/4/$"))
    expect(page.locator("#progress-label")).to_have_text("Case 4 of 8")
    bar = page.locator("progress")
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("3", "8")
    assert bar.get_attribute("aria-valuetext") == "3 of 8 cases answered"

    page.get_by_role("link", name="Withdraw from this study").click()

    expect(page).to_have_url(re.compile(r"/withdraw/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw from this study")
    expect(page.locator("main")).to_contain_text(
        "Your answers are kept out of every export and every analysis of this study."
    )
    participant.refresh_from_db()
    assert participant.status == Participant.Status.IN_PROGRESS  # looking changes nothing
    page.get_by_role("button", name="Yes, withdraw me from this study").click()

    expect(page).to_have_url(re.compile(r"/withdrawn/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("You have withdrawn from this study")
    expect(page.get_by_role("link", name="Withdraw from this study")).to_have_count(0)
    participant.refresh_from_db()
    assert participant.status == Participant.Status.WITHDRAWN
    assert (participant.withdrawn_step, participant.withdrawn_by) == ("trial", "participant")
    assert participant.withdrawn_at is not None

    page.go_back()  # the confirmation page again: it now shows the withdrawn page
    page.reload()
    expect(page).to_have_url(re.compile(r"/withdrawn/$"))
    page.goto(invitation_url(participant))
    expect(page).to_have_url(re.compile(r"/withdrawn/$"))
    assert AuditEvent.objects.filter(action="participant.withdrawn").count() == 1


def test_given_the_confirmation_page_when_the_participant_goes_back_then_they_continue(
    page, reference_study, participant_at, invitation_url
):
    participant = participant_at(reference_study(), "trial")
    page.goto(invitation_url(participant))
    page.get_by_role("link", name="Withdraw from this study").click()

    page.get_by_role("link", name="No, go back to the study").click()

    expect(page).to_have_url(re.compile(r"/case/1/$"))
    participant.refresh_from_db()
    assert participant.status == Participant.Status.IN_PROGRESS
