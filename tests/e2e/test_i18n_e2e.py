"""A German physician takes part in German in a real browser: from the study's Prolific-style
open link with ``?lang=de`` through consent, screening, every case, the questionnaire and the
debrief to the completion code, reading the study's German texts and the pages' German words,
and back to the configured completion URL with their code (issue 11's done-when); a participant
invited to the same study without ``?lang`` reads it in English. The stored answers, the panel
id and the participant's language are checked in the database."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from study import demo, services
from study.models import Participant, Response
from tests.e2e.test_panels_e2e import PANEL, PANEL_HOST, _panel_served
from tests.study.translated_studies import translated_study

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GERMAN = {
    "Pneumonia": "Pneumonie",
    "No acute abnormality": "Kein akuter Befund",
    "Radiology": "Radiologie",
    "Attending / consultant": "Oberärztin / Oberarzt",
    "Never": "Nie",
    "CHEST-AI": "THORAX-KI",
    "Dr. S. Johnson": "Dr. S. Johnson",
    "very poor": "sehr schlecht",
    "excellent": "ausgezeichnet",
    "Comments (optional)": "Anmerkungen (optional)",
}


def german(text: str) -> str:
    """The study's German: known labels in German, every other text marked as its German."""
    return GERMAN.get(text, f"Deutsch: {text}")


def _case(number: int) -> re.Pattern:
    return re.compile(rf"/case/{number}/$")


def _german_case(page: Page, participant: Participant, number: int) -> None:
    trial = participant.trials.select_related("case", "advice").get(position=number)
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("#progress-label")).to_have_text(f"Fall {number} von 3")
    expect(page.locator(".vignette")).to_contain_text(german(trial.case.vignette))
    expect(page.locator(".advice-text")).to_have_text(german(trial.advice.findings))
    advice = page.locator(".advice-card")
    expect(advice).to_contain_text(german(participant.arm.label))
    expect(advice).to_contain_text(german(dict(demo.DIAGNOSES)[trial.advice.diagnosis]))
    page.get_by_role(
        "group", name=re.compile(r"^Wie bewerten Sie die Qualität dieser Empfehlung\? \(1 = sehr")
    ).get_by_label("5", exact=True).check()
    page.get_by_label("Empfehlung leicht abändern", exact=True).check()
    page.get_by_label("Ihre endgültige Diagnose").select_option(label=german("Pneumonia"))
    page.get_by_role(
        "group", name=re.compile(r"^Wie sicher sind Sie sich bei Ihrer endgültigen Diagnose")
    ).get_by_label("6", exact=True).check()
    page.locator("button[data-submit]").click()


def test_given_lang_de_when_a_physician_takes_part_then_every_page_is_german(
    page, live_server, with_images
):
    study = with_images(translated_study(german, cases_per_participant=3))
    study = services.self_enrolment_enable(study=study)
    study = services.panel_settings_set(study=study, config=PANEL)
    asked = _panel_served(page)

    page.goto(
        f"{live_server.url}/s/{study.self_enrolment_token}/"
        "?lang=de&PROLIFIC_PID=5f0c1a2b3c4d5e6f7a8b9c0d&STUDY_ID=s1&SESSION_ID=x1"
    )
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text(german(study.title))
    page.get_by_role("button", name="Starten").click()

    expect(page).to_have_url(re.compile(r"/consent/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Information und Einwilligung")
    expect(page.locator("main")).to_contain_text(german(study.consent_text.splitlines()[0]))
    page.get_by_role("button", name="Weiter").click()  # nothing chosen: refused, in German
    expect(page.locator("#error-summary")).to_contain_text(
        "Bitte geben Sie an, ob Sie mit der Teilnahme einverstanden sind."
    )
    page.get_by_label("Ich bin mit der Teilnahme einverstanden", exact=True).check()
    page.get_by_role("button", name="Weiter").click()

    expect(page).to_have_url(re.compile(r"/about-you/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Zu Ihrer Person")
    page.get_by_label("Ihr Fachgebiet").select_option(label="Radiologie")
    page.get_by_label("Ihr Weiterbildungsstand").select_option(label="Oberärztin / Oberarzt")
    page.get_by_label("Jahre seit Abschluss des Medizinstudiums").fill("12")
    page.get_by_label("Nie", exact=True).check()
    page.get_by_role("button", name="Mit den Fällen beginnen").click()

    participant = Participant.objects.get(study=study)
    assert participant.language == "de"
    assert participant.external_id == "5f0c1a2b3c4d5e6f7a8b9c0d"
    assert participant.panel_params == {"STUDY_ID": "s1", "SESSION_ID": "x1"}
    for number in (1, 2, 3):
        expect(page).to_have_url(_case(number))
        _german_case(page, participant, number)

    expect(page).to_have_url(re.compile(r"/questionnaire/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Einige abschließende Fragen")
    expect(page.locator("main")).to_contain_text("Sie haben alle 3 Fälle bearbeitet.")
    page.get_by_role("group", name=re.compile(r"^Deutsch: In general")).get_by_label(
        "3", exact=True
    ).check()
    page.get_by_role("group", name=re.compile(r"^Deutsch: How useful")).get_by_label(
        "6", exact=True
    ).check()
    page.get_by_label("Anmerkungen (optional)").fill("Gut lesbar.")
    page.get_by_role("button", name="Weiter").click()

    expect(page).to_have_url(re.compile(r"/debrief/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Worum es in dieser Studie ging")
    expect(page.locator("main")).to_contain_text(german(study.debrief_text.splitlines()[0]))
    expect(page.get_by_label("Meine Antworten in der Studie belassen")).to_be_checked()
    page.get_by_role("button", name="Abschließen").click()

    expect(page).to_have_url(re.compile(r"/done/$"))
    participant.refresh_from_db()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vielen Dank")
    expect(page.locator("#completion-code")).to_have_text(participant.completion_code)
    expect(page.get_by_role("link", name="Teilnahme an dieser Studie zurückziehen")).to_be_visible()
    assert (participant.status, participant.language) == ("completed", "de")
    assert participant.questionnaire["comments"] == "Gut lesbar."
    assert (
        list(
            Response.objects.filter(trial__participant=participant)
            .order_by("trial__position")
            .values_list("decision", "final_diagnosis", "advice_rating", "confidence")
        )
        == [("modify", "pneumonia", 5, 6)] * 3
    )
    # Back to the panel: the German link leads to the configured completion URL with the code.
    page.get_by_role("link", name=f"Zurück zu {PANEL_HOST}, um abzuschließen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submission received")
    final = urlsplit(page.url)
    assert (final.scheme, final.hostname, final.path) == (
        "https",
        PANEL_HOST,
        "/submissions/complete",
    )
    assert parse_qs(final.query) == {"cc": [participant.completion_code]}
    assert [request["url"] for request in asked] == [page.url]


def test_given_no_lang_when_invited_to_the_same_study_then_the_pages_are_english(
    page, invitation_url
):
    study = translated_study(german, cases_per_participant=3)
    (participant,) = services.invitations_create(study=study, count=1)

    page.goto(invitation_url(participant))

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Information and consent")
    expect(page.locator("main")).to_contain_text(study.consent_text.splitlines()[0])
    expect(page.locator("main")).not_to_contain_text("Deutsch:")
    page.get_by_label("I agree to take part", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Your medical specialty").select_option(label="Radiology")
    page.get_by_label("Your training level").select_option(label="Attending / consultant")
    page.get_by_label("Years since completing medical school").fill("12")
    page.get_by_label("Never", exact=True).check()
    page.get_by_role("button", name="Start the cases").click()

    expect(page).to_have_url(_case(1))
    participant.refresh_from_db()
    trial = participant.trials.select_related("case", "advice").get(position=1)
    expect(page.locator("#progress-label")).to_have_text("Case 1 of 3")
    expect(page.locator(".vignette")).to_contain_text(trial.case.vignette)
    expect(page.locator(".advice-text")).to_have_text(trial.advice.findings)
    expect(page.locator(".advice-card")).to_contain_text(participant.arm.label)
    assert participant.language == "en"
