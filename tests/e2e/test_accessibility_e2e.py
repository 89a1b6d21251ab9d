"""Accessibility of every participant page in a real browser: labelled controls, one h1, lang, a
skip link, keyboard reach with a visible focus, WCAG AA text contrast computed from the rendered
colours, and a layout that fits a laptop and a tablet either way round."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page

from study import services
from tests.e2e.a11y import (
    COLOUR_JS,
    CONTRAST_CATEGORIES,
    CONTRAST_JS,
    EXPECTED_CATEGORIES,
    FOCUSED_JS,
    KEY_OF_JS,
    KEYBOARD_TARGETS_JS,
    NO_SIDEWAYS_SCROLL_JS,
    UNLABELLED_CONTROLS_JS,
    UNNAMED_ROLE,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# "trial-image" is the trial page with the viewer; it needs study/imaging.py to render the image.
PAGES = [
    "consent",
    "screening",
    "trial",
    "trial-image",
    "questionnaire",
    "debrief",
    "done",
    "withdraw",
    "withdrawn",
]
VIEWPORTS = {
    "laptop-1366x768": {"width": 1366, "height": 768},
    "tablet-portrait-768x1024": {"width": 768, "height": 1024},
    "tablet-landscape-1024x768": {"width": 1024, "height": 768},
}
SUBMIT_LABELS = {
    "consent": "Continue",
    "screening": "Start the cases",
    "trial": "Save and continue",
    "trial-image": "Save and continue",
    "questionnaire": "Continue",
    "debrief": "Finish",
}


@pytest.fixture
def open_participant_page(request, page, reference_study, participant_at, invitation_url):
    """Open one participant page type in the test's browser page; returns the page."""

    def open_page(name: str, *, study=None) -> Page:
        if study is None:
            study = reference_study()
            if name == "trial-image":
                study = request.getfixturevalue("with_images")(study)
        # The withdrawal pages are opened mid-trial, as a participant would reach them.
        step = "trial" if name in ("trial-image", "withdraw", "withdrawn") else name
        participant = participant_at(study, step)
        if name == "withdrawn":
            services.participant_withdraw(participant=participant, by="participant")
        page.goto(invitation_url(participant) + ("withdraw/" if name == "withdraw" else ""))
        expected_path = "/case/1/" if name.startswith("trial") else None
        if expected_path:
            assert page.url.endswith(expected_path), page.url
        page.evaluate(KEY_OF_JS)
        page.evaluate(COLOUR_JS)
        return page

    return open_page


def _keyboard_walk(page: Page) -> dict:
    """Tab from the top of a freshly loaded page: the skip link, then every stop until focus
    leaves the page or comes round again."""
    targets = page.evaluate(KEYBOARD_TARGETS_JS)
    page.keyboard.press("Tab")
    skip = page.evaluate(FOCUSED_JS)
    page.keyboard.press("Enter")
    after_skip = page.evaluate("() => document.activeElement.id")
    stops = [skip]
    for _ in range(len(targets) + 5):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        if focused is None or focused["key"] in {stop["key"] for stop in stops}:
            break
        stops.append(focused)
    return {"targets": targets, "stops": stops, "after_skip": after_skip}


@pytest.mark.parametrize("name", PAGES)
def test_given_a_participant_page_then_it_is_labelled_keyboard_operable_and_has_aa_contrast(
    name, open_participant_page
):
    page = open_participant_page(name)

    unlabelled = page.evaluate(UNLABELLED_CONTROLS_JS)
    snapshot = page.locator("body").aria_snapshot()
    contrast = page.evaluate(CONTRAST_JS, CONTRAST_CATEGORIES)
    walk = _keyboard_walk(page)

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").count() == 1
    assert page.locator("h1").inner_text().strip() != ""
    assert unlabelled == []
    assert [line for line in snapshot.splitlines() if UNNAMED_ROLE.match(line)] == []
    skip = walk["stops"][0]
    assert (skip["key"], skip["outline"], skip["inView"]) == ("a:#main", True, True)
    assert walk["after_skip"] == "main"
    assert sorted(stop["key"] for stop in walk["stops"]) == walk["targets"]
    assert [stop for stop in walk["stops"] if not (stop["outline"] and stop["inView"])] == []
    assert [entry for entry in contrast if "problem" in entry or entry["ratio"] < 4.5] == []
    covered = {category for entry in contrast for category in entry["categories"]}
    assert EXPECTED_CATEGORIES[name] <= covered


def _layout_problems(page: Page, name: str) -> list[str]:
    problems = []
    scroll_width, inner_width = page.evaluate(NO_SIDEWAYS_SCROLL_JS)
    if scroll_width > inner_width:
        problems.append(f"{name}: scrolls sideways ({scroll_width} > {inner_width} px)")
    if name in SUBMIT_LABELS:
        submit = page.get_by_role("button", name=SUBMIT_LABELS[name])
        submit.scroll_into_view_if_needed()
        on_top = submit.evaluate(
            """button => { const box = button.getBoundingClientRect();
            const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
            // 1 px for sub-pixel layout: scrolling aligns the fractional edge with the viewport.
            return box.top >= -1 && box.bottom <= innerHeight + 1 && box.left >= -1
              && box.right <= innerWidth + 1 && button.contains(hit); }"""
        )
        if not on_top:
            problems.append(f"{name}: submit button not fully visible after scrolling")
    return problems


def _trial_layout_problems(page: Page, viewport: dict) -> list[str]:
    """Image beside the answers on a wide screen, above them below 901 px; nothing overlaps."""
    page.wait_for_function("() => document.querySelector('[data-image]').naturalWidth > 0")
    case, answer, viewer, image = (
        page.locator(selector).bounding_box()
        for selector in (".case-panel", ".answer-panel", ".viewer", "[data-image]")
    )
    problems = []
    if viewport["width"] <= 900 and answer["y"] < case["y"] + case["height"]:
        problems.append("trial: answers overlap the stacked case panel")
    if viewport["width"] > 900 and answer["x"] < case["x"] + case["width"]:
        problems.append("trial: answers overlap the case panel beside them")
    if viewer["x"] < case["x"] or viewer["x"] + viewer["width"] > case["x"] + case["width"] + 1:
        problems.append("trial: the viewer sticks out of the case panel")
    if image["x"] < viewer["x"] or image["x"] + image["width"] > viewer["x"] + viewer["width"] + 1:
        problems.append("trial: the image is wider than the viewer")
    # The whole image at fit is on screen as the page opens (test_layout_e2e.py measures more).
    if image["y"] < 0 or image["y"] + image["height"] > viewport["height"] + 1:
        problems.append(
            f"trial: the image ({image['y']:.0f} to {image['y'] + image['height']:.0f} px)"
            " is not whole on screen"
        )
    return problems


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_given_a_laptop_or_tablet_then_every_page_fits_the_width_and_submit_is_visible(
    viewport, page, open_participant_page, reference_study, with_images
):
    page.set_viewport_size(viewport)
    study = with_images(reference_study())
    problems = []

    for name in ["consent", "screening", "trial", "questionnaire", "debrief", "done"]:
        page = open_participant_page(name, study=study)
        if name == "trial":
            problems += _trial_layout_problems(page, viewport)
            shots = os.environ.get("E2E_SCREENSHOT_DIR")
            if shots:  # for a person to look at; never committed
                size = f"{viewport['width']}x{viewport['height']}"
                page.screenshot(path=Path(shots) / f"trial-{size}.png", full_page=True)
        problems += _layout_problems(page, name)

    assert problems == []


def test_given_missing_answers_when_a_trial_is_submitted_then_the_error_summary_leads_to_each_field(
    open_participant_page,
):
    page = open_participant_page("trial")

    page.get_by_role("button", name="Save and continue").click()
    page.evaluate(KEY_OF_JS)
    page.evaluate(COLOUR_JS)

    summary = page.get_by_role("alert")
    assert page.evaluate("() => document.activeElement.id") == "error-summary"
    links = summary.get_by_role("link")
    # Each entry is the error's own sentence (no "question?: error" run-on).
    assert links.all_inner_texts() == [
        "Please rate the quality of the advice.",
        "Please choose whether you accept, modify or reject it.",
        "Please choose your final diagnosis.",
        "Please rate your confidence.",
    ]
    focused = []
    for index in range(links.count()):
        links.nth(index).click()
        focused.append(page.evaluate("() => document.activeElement.id"))
    assert focused == [
        "id_advice_rating_0",
        "id_decision_0",
        "id_final_diagnosis",
        "id_confidence_0",
    ]
    group = page.get_by_role("group", name=re.compile(r"^How confident"))
    assert group.get_attribute("aria-describedby") == "id_confidence_error"
    assert page.locator("#id_confidence_error").inner_text() == "Please rate your confidence."
    contrast = page.evaluate(CONTRAST_JS, CONTRAST_CATEGORIES)
    assert [entry for entry in contrast if "problem" in entry or entry["ratio"] < 4.5] == []


def test_given_keyboard_focus_then_the_focus_ring_has_3_to_1_contrast_with_what_is_behind_it(
    open_participant_page,
):
    page = open_participant_page("trial-image")

    walk = _keyboard_walk(page)

    faint = {stop["key"]: stop["ringRatio"] for stop in walk["stops"] if stop["ringRatio"] < 3}
    assert faint == {}


def test_given_the_image_viewer_then_its_keyboard_instructions_are_exposed_to_assistive_tech(
    open_participant_page,
):
    page = open_participant_page("trial-image")

    snapshot = page.locator(".viewer").aria_snapshot()

    assert "Use the arrow keys to pan and plus or minus to zoom" in snapshot


def test_given_keyboard_focus_on_the_image_then_its_focus_ring_is_not_clipped(
    open_participant_page,
):
    page = open_participant_page("trial-image")
    for _ in range(24):  # the skip link, the header, the viewer's dozen tools, then the stage
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "viewer-stage":
            break

    clipped_by = page.locator("#viewer-stage").evaluate(
        """stage => {
        const style = getComputedStyle(stage);
        const reach = parseFloat(style.outlineWidth) + parseFloat(style.outlineOffset);
        const box = stage.getBoundingClientRect();
        const clippers = [];
        for (let node = stage.parentElement; node; node = node.parentElement) {
          if (getComputedStyle(node).overflow === "visible") continue;
          const clip = node.getBoundingClientRect();
          if (box.left - reach < clip.left || box.right + reach > clip.right
              || box.top - reach < clip.top || box.bottom + reach > clip.bottom)
            clippers.push(node.className || node.tagName);
        }
        return clippers;
      }"""
    )

    assert page.evaluate("() => document.activeElement.id") == "viewer-stage"
    assert clipped_by == []
