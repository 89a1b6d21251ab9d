"""The whole study by keyboard alone (issue 11, point 6): from the link to the completion code,
a participant only presses Tab, Shift+Tab, Space, Enter and the arrow keys and types into the
focused field: no click, no fill(), no script setting a value (scripts here only read which
element has focus and what it holds). Every control reached shows a visible focus ring, and the
database at the end holds exactly what was chosen and typed."""

from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from study import services
from study.models import Participant, Response
from tests.e2e.a11y import COLOUR_JS, FOCUSED_JS, KEY_OF_JS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# More than any page has stops (skip link, viewer tools, fields, submit, withdrawal link).
PRESSES_MAX = 40
# Read-only: the focused radio's group, its values in order and which one is focused / checked.
_RADIO_JS = """() => {
  const el = document.activeElement;
  const group = [...document.querySelectorAll(`input[type=radio][name="${el.name}"]`)];
  return {values: group.map(r => r.value), focused: group.indexOf(el),
          checked: group.findIndex(r => r.checked)};
}"""
_SELECT_JS = """() => { const el = document.activeElement;
  return {labels: [...el.options].map(o => o.text), index: el.selectedIndex}; }"""


def _loaded(page: Page) -> None:
    page.evaluate(KEY_OF_JS)
    page.evaluate(COLOUR_JS)


def _tab_to(page: Page, key: str, *, backwards: bool = False) -> None:
    """Tab (Shift+Tab backwards) until the element with this a11y key has focus; every stop on
    the way must show its focus ring in view. Fails with the stops it went through."""
    stops = []
    for _ in range(PRESSES_MAX):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate(FOCUSED_JS)
        stops.append(focused["key"] if focused else "(nothing)")
        if focused is None:
            continue
        assert focused["outline"], f"no visible focus ring on {focused['key']} at {page.url}"
        assert focused["inView"], f"{focused['key']} has focus out of view at {page.url}"
        ring = focused["ringRatio"]
        assert ring is None or ring >= 3, f"focus ring of {focused['key']}: contrast {ring}"
        if focused["key"] == key:
            return
    raise AssertionError(f"{key} never got focus at {page.url}; focus went to {stops}")


def _choose_radio(page: Page, name: str, value: str, *, backwards: bool = False) -> None:
    """Tab into the radio group, then Space (the focused one) or arrows (move and check)."""
    _tab_to(page, f"radio:{name}", backwards=backwards)
    group = page.evaluate(_RADIO_JS)
    steps = group["values"].index(value) - group["focused"]
    if steps == 0:
        page.keyboard.press("Space")
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowRight" if steps > 0 else "ArrowLeft")
    assert page.evaluate(_RADIO_JS)["checked"] == group["values"].index(value), (name, value)


def _choose_option(page: Page, select_id: str, label: str) -> None:
    """Tab to the list and move its selection with the arrow keys (it stays closed)."""
    _tab_to(page, f"select:{select_id}")
    listed = page.evaluate(_SELECT_JS)
    steps = listed["labels"].index(label) - listed["index"]
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    assert page.evaluate(_SELECT_JS)["index"] == listed["labels"].index(label), (select_id, label)


def _type_into(page: Page, key: str, text: str) -> None:
    _tab_to(page, key)
    page.keyboard.type(text)


def _press_button(page: Page, key: str, key_name: str = "Enter") -> None:
    """Focus the button and press it: the next page loads."""
    _tab_to(page, key)
    with page.expect_navigation():
        page.keyboard.press(key_name)
    _loaded(page)


def _consent_and_screening(page: Page) -> None:
    expect(page.locator("h1")).to_have_text("Information and consent")
    _choose_radio(page, "agree", "yes")
    _press_button(page, "button:Continue")
    expect(page.locator("h1")).to_have_text("About you")
    _choose_option(page, "id_specialty", "Radiology")
    _choose_option(page, "id_training_level", "Fellow")
    _type_into(page, "input:id_years_experience", "12")
    _choose_radio(page, "prior_ai_use", "occasionally")
    # Second thoughts: back up to the training level and take the one above (Attending).
    _tab_to(page, "select:id_training_level", backwards=True)
    page.keyboard.press("ArrowUp")
    assert page.evaluate(_SELECT_JS)["labels"][page.evaluate(_SELECT_JS)["index"]] == (
        "Attending / consultant"
    )
    _press_button(page, "button:Start the cases", "Space")


def _questionnaire_and_debrief(page: Page) -> None:
    expect(page.locator("h1")).to_have_text("A few last questions")
    _choose_radio(page, "ai_attitude", "3")
    _choose_radio(page, "advice_usefulness", "6")
    _type_into(page, "textarea:id_comments", "Done by keyboard only.")
    _press_button(page, "button:Continue")
    expect(page.locator("h1")).to_have_text("What this study was about")
    _tab_to(page, "radio:choice")  # "Keep my answers" is already chosen: leave it
    _press_button(page, "button:Finish")
    expect(page.get_by_text("Your completion code:")).to_be_visible()


@dataclass(frozen=True)
class GaubeAnswer:
    rating: str
    decision: str
    diagnosis: str  # the label chosen, or the advised one when the advice is accepted
    confidence: str


def _gaube_case(page: Page, number: int, labels: dict[str, str]) -> GaubeAnswer:
    expect(page.locator("#progress-label")).to_have_text(f"Case {number} of 8")
    decision = ("accept", "modify", "reject")[number % 3]
    rating, confidence = str(1 + number % 6), str(7 - number % 7)
    _choose_radio(page, "advice_rating", rating)
    _choose_radio(page, "decision", decision)
    if decision == "accept":  # the page chose the advised diagnosis: check, keep it
        _tab_to(page, "select:id_final_diagnosis")
        advised = page.locator(".advice-card").get_attribute("data-advised")
        assert (
            page.evaluate(_SELECT_JS)["labels"][page.evaluate(_SELECT_JS)["index"]]
            == (labels[advised])
        )
        diagnosis = labels[advised]
    else:
        diagnosis = list(labels.values())[number % len(labels)]
        _choose_option(page, "id_final_diagnosis", diagnosis)
    _choose_radio(page, "confidence", confidence)
    if number == 1:  # back up with Shift+Tab and rate the advice one better
        _choose_radio(page, "advice_rating", str(int(rating) + 1), backwards=True)
        rating = str(int(rating) + 1)
    _press_button(page, "button:Save and continue")
    return GaubeAnswer(rating, decision, diagnosis, confidence)


def _stored(participant: Participant) -> list[Response]:
    return list(Response.objects.filter(trial__participant=participant).order_by("trial__position"))


def test_given_the_gaube_design_when_done_by_keyboard_alone_then_every_answer_is_stored(
    page, live_server, reference_study, with_images
):
    study = services.self_enrolment_enable(study=with_images(reference_study()))
    labels = dict(study.diagnoses.values_list("code", "label"))
    page.goto(f"{live_server.url}/s/{study.self_enrolment_token}/")
    _loaded(page)

    _press_button(page, "button:Start")
    _consent_and_screening(page)
    answers = [_gaube_case(page, number, labels) for number in range(1, 9)]
    _questionnaire_and_debrief(page)

    participant = study.participants.get()
    assert participant.status == Participant.Status.COMPLETED
    assert (
        participant.specialty,
        participant.training_level,
        participant.years_experience,
        participant.prior_ai_use,
    ) == ("radiology", "attending", 12, "occasionally")
    assert participant.questionnaire == {
        "ai_attitude": 3,
        "advice_usefulness": 6,
        "comments": "Done by keyboard only.",
    }
    stored = [
        GaubeAnswer(str(r.advice_rating), r.decision, labels[r.final_diagnosis], str(r.confidence))
        for r in _stored(participant)
    ]
    assert stored == answers


def test_given_the_agree_disagree_design_when_done_by_keyboard_alone_then_every_answer_is_stored(
    page, live_server, reference_study, with_images
):
    study = with_images(reference_study(response_mode="agree_disagree", ask_rating=False))
    (participant,) = services.invitations_create(study=study, count=1)
    page.goto(f"{live_server.url}/p/{participant.token}/")
    _loaded(page)

    _consent_and_screening(page)
    chosen = []
    for number in range(1, 9):
        expect(page.locator("#progress-label")).to_have_text(f"Case {number} of 8")
        confidence, agreed = str(1 + number % 7), number % 3 != 0
        _choose_radio(page, "confidence", confidence)
        # Agree has its id; Disagree is known by its name. Space presses a button too.
        _press_button(page, "button:id_agreed" if agreed else "button:agreed", "Space")
        chosen.append((agreed, int(confidence)))
    _questionnaire_and_debrief(page)

    participant = Participant.objects.get(pk=participant.pk)
    assert participant.status == Participant.Status.COMPLETED
    assert [(r.agreed, r.confidence) for r in _stored(participant)] == chosen
    assert all(r.client_response_ms > 0 for r in _stored(participant))
