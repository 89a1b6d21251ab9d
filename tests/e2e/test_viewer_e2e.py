"""The trial's image viewer in a real browser: the radiograph loads, zoom, pan and window presets
respond to mouse and keyboard, and the client timing the script adds to the form is stored."""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from study.models import Response

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _transform(page: Page) -> tuple[float, float, float]:
    """(x, y, scale) of the viewer canvas; an untouched viewer has no transform: (0, 0, 1)."""
    value = page.locator("[data-canvas]").evaluate("canvas => canvas.style.transform")
    if not value:
        return (0.0, 0.0, 1.0)
    match = re.fullmatch(r"translate\((-?[\d.]+)px, ?(-?[\d.]+)px\) scale\(([\d.]+)\)", value)
    assert match, f"unexpected transform {value!r}"
    return tuple(round(float(part), 4) for part in match.groups())


def _loaded_width(page: Page) -> int:
    """naturalWidth of the viewer image once the current src has loaded."""
    page.wait_for_function(
        "() => { const img = document.querySelector('[data-image]');"
        " return img.complete && img.naturalWidth > 0; }"
    )
    return page.locator("[data-image]").evaluate("img => img.naturalWidth")


def test_given_a_case_with_an_image_when_the_viewer_is_used_then_it_responds_and_timing_is_stored(
    page, reference_study, with_images, invitation_url, participant_at
):
    study = with_images(reference_study())
    participant = participant_at(study, "trial")
    case = participant.trials.get(position=1).case
    opened = time.monotonic()
    with page.expect_response(re.compile(r"/image/1/[^/]+\.webp$")) as preview_response:
        page.goto(invitation_url(participant))
    viewer = page.locator("[data-viewer]")
    image = page.locator("[data-image]")
    stage = page.locator("#viewer-stage")
    preview, display = viewer.get_attribute("data-preview"), viewer.get_attribute("data-display")

    assert preview_response.value.status == 200
    assert preview_response.value.headers["content-type"] == "image/webp"
    assert image.get_attribute("src") == preview
    # The light preview comes first; the native rendering only when the reader zooms in.
    assert 0 < _loaded_width(page) < case.image_width
    assert _transform(page) == (0, 0, 1)

    page.get_by_role("button", name="Zoom in").click()
    assert _transform(page) == (0, 0, 1.5)
    assert image.get_attribute("src") == preview
    page.get_by_role("button", name="Zoom in").click()
    assert _transform(page) == (0, 0, 2.25)
    # Past 1.5x the viewer swaps the preview for the native-resolution rendering.
    assert image.get_attribute("src") == display
    assert _loaded_width(page) == case.image_width

    stage.focus()
    page.keyboard.press("-")
    assert _transform(page) == (0, 0, 1.5)
    page.keyboard.press("+")
    assert _transform(page) == (0, 0, 2.25)
    page.keyboard.press("ArrowLeft")
    assert _transform(page) == (40, 0, 2.25)

    box = stage.bounding_box()
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(*centre)
    page.mouse.down()
    page.mouse.move(centre[0] + 30, centre[1] + 20, steps=3)
    page.mouse.up()
    assert _transform(page) == (70, 20, 2.25)
    page.mouse.wheel(0, -100)
    expect(page.locator("[data-canvas]")).to_have_attribute("style", re.compile(r"scale\(2\.7\)"))

    page.get_by_role("button", name="Fit").click()
    assert _transform(page) == (0, 0, 1)

    presets = page.locator("button[data-preset]")
    assert presets.count() >= 2
    chosen = presets.nth(1)
    chosen.click()
    assert image.get_attribute("src") == chosen.get_attribute("data-preset")
    assert [
        presets.nth(index).get_attribute("aria-pressed") for index in range(presets.count())
    ] == ["false", "true"] + ["false"] * (presets.count() - 2)
    assert _loaded_width(page) == case.image_width
    # Counted by the viewer: 2 zoom clicks, 2 zoom keys, 1 drag, 1 wheel, Fit, 1 preset.
    interactions = 8

    page.get_by_role("group", name=re.compile(r"^How would you rate")).get_by_label(
        "4", exact=True
    ).check()
    page.get_by_label("Reject the advice", exact=True).check()
    page.get_by_label("Your final diagnosis").select_option("normal")
    page.get_by_role("group", name=re.compile(r"^How confident")).get_by_label(
        "3", exact=True
    ).check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#progress-label")).to_have_text("Case 2 of 8")
    elapsed_ms = (time.monotonic() - opened) * 1000

    response = Response.objects.get(trial__participant=participant, trial__position=1)
    assert 0 < response.client_active_ms <= elapsed_ms
    assert 0 < response.client_response_ms <= elapsed_ms
    assert response.viewer_interactions >= interactions


def test_given_the_image_at_fit_size_when_the_wheel_scrolls_down_over_it_then_the_page_scrolls(
    page, reference_study, with_images, invitation_url, participant_at
):
    participant = participant_at(with_images(reference_study()), "trial")
    page.goto(invitation_url(participant))
    box = page.locator("#viewer-stage").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    page.mouse.wheel(0, 300)

    page.wait_for_function("() => window.scrollY > 0", timeout=2_000)
    assert _transform(page) == (0, 0, 1)
