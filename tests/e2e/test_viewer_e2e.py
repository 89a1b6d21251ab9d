"""The trial's reading-room viewer in a real browser, on the demo's real chest radiograph: every
control is checked by what it does to the transform (the layer's box against the stage's) or to
the pixels on the canvas, which must be the window's lookup table applied to the stored packed
source (computed here from the stored PNG), and the counts per kind are stored with the answer."""

import io
import re

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from study.models import Case, Response

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Image points (x, y) sampled on the canvas: a grid over the radiograph plus its corners.
POINTS = [(x, y) for x in range(5, 1841, 263) for y in range(7, 1955, 279)] + [
    (0, 0),
    (1840, 1954),
]


def _open(page: Page, url: str, *, source: bool = True) -> None:
    page.goto(url)
    state = "ready" if source else "none"
    page.wait_for_function(
        f"() => document.querySelector('[data-viewer]').dataset.sourceState === '{state}'"
    )
    if source:
        _painted(page)


def _painted(page: Page) -> None:
    """Wait until the canvas shows the window the viewer reports (painting is per frame)."""
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-viewer]').dataset;"
        " return v.painted === `${v.center}/${v.width}/${v.inverted}`; }"
    )


def _state(page: Page) -> dict:
    data = page.locator("[data-viewer]").evaluate("v => ({...v.dataset})")
    numbers = ("scale", "tx", "ty", "fitScale", "center", "width")
    return {**data, **{name: float(data[name]) for name in numbers if name in data}}


def _boxes(page: Page) -> tuple[dict, dict]:
    return (
        page.locator("[data-canvas]").bounding_box(),
        page.locator("#viewer-stage").bounding_box(),
    )


def _canvas(page: Page, points=POINTS) -> list[tuple[int, int, int, int]]:
    return page.locator("[data-source-canvas]").evaluate(
        "(canvas, points) => { const c = canvas.getContext('2d');"
        " return points.map(([x, y]) => Array.from(c.getImageData(x, y, 1, 1).data)); }",
        [list(point) for point in points],
    )


def _source(case: Case) -> np.ndarray:
    rgb = np.asarray(Image.open(case.source_image.open()).convert("RGB")).astype(np.int64)
    return rgb[..., 0] * 256 + rgb[..., 1]


def _expected(case: Case, state: dict, points=POINTS) -> list[int]:
    """The grey levels the window implies: PS3.3 C.11.2.1.2 LINEAR on the modality values the
    packed source stands for, inverted once for MONOCHROME1 and once more when the reader
    inverts, rounded half to even."""
    mapping = case.source_window
    packed = _source(case)
    values = np.array([mapping["min"] + packed[y, x] * mapping["scale"] for x, y in points])
    assert state["function"] == "LINEAR"  # the demo image's file window
    c, w = state["center"], state["width"]
    unit = np.clip((values - (c - 0.5)) / (w - 1.0) + 0.5, 0.0, 1.0)
    grey = np.rint((1.0 - unit if mapping["invert"] else unit) * 255.0).astype(int)
    return list(255 - grey if state["inverted"] == "true" else grey)


def _grey(pixels) -> list[int]:
    assert all(r == g == b and a == 255 for r, g, b, a in pixels), "not an opaque grey"
    return [r for r, *_ in pixels]


def _display(case: Case, points=POINTS) -> list[int]:
    display = np.asarray(Image.open(io.BytesIO(case.display_image.open().read())))
    return [int(display[y, x]) for x, y in points]


def _stage_centre(page: Page) -> tuple[float, float]:
    stage = page.locator("#viewer-stage").bounding_box()
    return stage["x"] + stage["width"] / 2, stage["y"] + stage["height"] / 2


def _drag(page: Page, start, offset, *, button="left", steps=4) -> None:
    page.mouse.move(*start)
    page.mouse.down(button=button)
    page.mouse.move(start[0] + offset[0], start[1] + offset[1], steps=steps)
    page.mouse.up(button=button)


def _trial_case(participant) -> Case:
    return participant.trials.select_related("case").get(position=1).case


def test_given_the_viewer_when_zoomed_and_panned_by_mouse_then_the_transform_follows_the_cursor(
    page, reference_study, with_images, invitation_url, participant_at
):
    participant = participant_at(with_images(reference_study()), "trial")
    _open(page, invitation_url(participant))
    case = _trial_case(participant)
    layer, stage = _boxes(page)

    # Fit: the whole image inside the stage, touching it on the binding side, centred.
    state = _state(page)
    fit = min(stage["width"] / case.image_width, stage["height"] / case.image_height)
    assert state["scale"] == pytest.approx(fit)
    assert layer["width"] == pytest.approx(case.image_width * fit, abs=1)
    assert layer["x"] >= stage["x"] - 0.5
    assert layer["y"] >= stage["y"] - 0.5
    assert layer["x"] + layer["width"] <= stage["x"] + stage["width"] + 0.5
    assert layer["y"] + layer["height"] <= stage["y"] + stage["height"] + 0.5
    assert layer["y"] == pytest.approx(stage["y"], abs=1)
    assert layer["x"] - stage["x"] == pytest.approx(
        stage["x"] + stage["width"] - layer["x"] - layer["width"], abs=1
    )

    # Buttons zoom at the centre, by 1.25 each.
    page.get_by_role("button", name="Zoom in").click()
    page.get_by_role("button", name="Zoom in").click()
    assert _state(page)["scale"] == pytest.approx(fit * 1.5625)

    # The wheel zooms at the cursor: the image point under it stays under it.
    cursor = (stage["x"] + stage["width"] * 0.3, stage["y"] + stage["height"] * 0.7)
    before = _state(page)
    point = ((cursor[0] - stage["x"] - before["tx"]) / before["scale"],
             (cursor[1] - stage["y"] - before["ty"]) / before["scale"])  # fmt: skip
    page.mouse.move(*cursor)
    page.mouse.wheel(0, -150)
    page.wait_for_function(
        f"() => +document.querySelector('[data-viewer]').dataset.scale > {before['scale'] * 1.1}"
    )
    after = _state(page)
    layer, _ = _boxes(page)
    under = (layer["x"] + point[0] * after["scale"], layer["y"] + point[1] * after["scale"])
    assert abs(under[0] - cursor[0]) <= 2
    assert abs(under[1] - cursor[1]) <= 2

    # A drag far beyond the image cannot pull an edge into the stage, in either direction.
    _drag(page, cursor, (3000, 3000))
    layer, _ = _boxes(page)
    assert (layer["x"], layer["y"]) == (pytest.approx(stage["x"], abs=0.5),
                                        pytest.approx(stage["y"], abs=0.5))  # fmt: skip
    _drag(page, cursor, (-3000, -3000))
    layer, _ = _boxes(page)
    assert layer["x"] + layer["width"] == pytest.approx(stage["x"] + stage["width"], abs=0.5)
    assert layer["y"] + layer["height"] == pytest.approx(stage["y"] + stage["height"], abs=0.5)

    # 1:1 is one image pixel per device pixel (device pixel ratio 1 here).
    page.get_by_role("button", name=re.compile("Actual size")).click()
    layer, _ = _boxes(page)
    assert _state(page)["scale"] == 1.0
    assert layer["width"] == pytest.approx(case.image_width, abs=0.5)
    # At 1:1 the screen shows the canvas's own pixels: one screen pixel is one image pixel.
    assert (layer["x"] % 1, layer["y"] % 1) == (pytest.approx(0, abs=1e-3),) * 2
    inside = [(int(stage["x"] - layer["x"]) + dx, int(stage["y"] - layer["y"]) + dy)
              for dx, dy in ((40, 30), (200, 150), (333, 222))]  # fmt: skip
    shot = np.asarray(Image.open(io.BytesIO(page.screenshot())).convert("RGB"))
    on_screen = [int(shot[round(layer["y"]) + y, round(layer["x"]) + x, 0]) for x, y in inside]
    # Within one grey level: the compositor may round a colour channel differently from the
    # canvas's own bytes (the window's pixel values are checked exactly on the canvas).
    assert on_screen == pytest.approx(_grey(_canvas(page, inside)), abs=1)

    page.get_by_role("button", name="Zoom out").click()
    assert _state(page)["scale"] == pytest.approx(0.8)
    page.get_by_role("button", name="Fit").click()
    assert _state(page)["scale"] == pytest.approx(fit)


def test_given_the_source_when_the_window_is_dragged_then_the_pixels_are_the_windows_table(
    page, reference_study, with_images, invitation_url, participant_at
):
    participant = participant_at(with_images(reference_study()), "trial")
    _open(page, invitation_url(participant))
    case = _trial_case(participant)
    mapping = case.source_window
    step = (mapping["max"] - mapping["min"]) / 1024

    # The default window is the file's, and the canvas is then exactly the server's rendering.
    state = _state(page)
    assert (state["center"], state["width"], state["inverted"]) == (15000, 30000, "false")
    default = _grey(_canvas(page))
    assert default == _display(case) == _expected(case, state)

    # Window mode: right widens the window by the range/1024 per pixel, up lowers the level.
    window = page.get_by_role("button", name="Window", exact=True)
    window.click()
    expect(window).to_have_attribute("aria-pressed", "true")
    _drag(page, _stage_centre(page), (-200, -120))
    _painted(page)
    state = _state(page)
    assert state["width"] == pytest.approx(30000 - 200 * step)
    assert state["center"] == pytest.approx(15000 - 120 * step)
    narrowed = _grey(_canvas(page))
    assert narrowed == _expected(case, state)
    assert sum(a != b for a, b in zip(narrowed, default, strict=True)) > len(POINTS) // 2
    window.click()
    expect(window).to_have_attribute("aria-pressed", "false")

    # A right-drag and a Shift+drag window too, without the mode.
    _drag(page, _stage_centre(page), (0, 150), button="right")
    _painted(page)
    state = _state(page)
    assert state["center"] == pytest.approx(15000 + 30 * step)
    assert _grey(_canvas(page)) == _expected(case, state)
    page.keyboard.down("Shift")
    _drag(page, _stage_centre(page), (300, 0))
    page.keyboard.up("Shift")
    _painted(page)
    state = _state(page)
    assert state["width"] == pytest.approx(30000 + 100 * step)
    assert _grey(_canvas(page)) == _expected(case, state)

    # A preset sets its window on the same source.
    presets = page.locator("button[data-preset]")
    page.get_by_role("button", name="Higher contrast").click()
    _painted(page)
    state = _state(page)
    bone = mapping["presets"]["bone"]
    assert (state["center"], state["width"]) == (bone["center"], bone["width"])
    assert [presets.nth(i).get_attribute("aria-pressed") for i in range(3)] == [
        "false", "false", "true"
    ]  # fmt: skip
    contrast = _grey(_canvas(page))
    assert contrast == _expected(case, state)

    # Invert maps every grey level p to 255 - p.
    page.get_by_role("button", name="Invert").click()
    _painted(page)
    assert _state(page)["inverted"] == "true"
    assert _grey(_canvas(page)) == [255 - p for p in contrast]
    expect(page.get_by_role("button", name="Invert")).to_have_attribute("aria-pressed", "true")

    # Reset: fit, the default window, not inverted: the server's rendering again.
    page.get_by_role("button", name="Zoom in").click()
    page.get_by_role("button", name="Reset").click()
    _painted(page)
    state = _state(page)
    assert (state["center"], state["width"], state["inverted"]) == (15000, 30000, "false")
    assert state["scale"] == pytest.approx(state["fitScale"])
    assert _grey(_canvas(page)) == default


def test_given_touch_and_keyboard_when_used_then_they_act_and_each_kind_is_counted_and_stored(
    new_context, reference_study, with_images, invitation_url, participant_at
):
    participant = participant_at(with_images(reference_study()), "trial")
    page = new_context(device_scale_factor=2, has_touch=True).new_page()
    _open(page, invitation_url(participant))
    stage = page.locator("#viewer-stage")
    box = stage.bounding_box()
    fit = _state(page)["scale"]
    mapping = _trial_case(participant).source_window
    key_step = (mapping["max"] - mapping["min"]) / 64

    # Pinch: two touches moving apart zoom by their distance ratio (one zoom).
    cdp = page.context.new_cdp_session(page)
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    def touches(spread):
        return [{"x": cx - spread, "y": cy, "id": 1}, {"x": cx + spread, "y": cy, "id": 2}]

    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": touches(40)})
    for spread in (50, 60, 70, 80):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": touches(spread)})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    assert _state(page)["scale"] == pytest.approx(fit * 2, rel=0.02)

    # Keyboard, with the stage focused (a visible focus ring).
    stage.focus()
    assert stage.evaluate("s => getComputedStyle(s).outlineStyle") == "solid"
    page.keyboard.press("0")
    assert _state(page)["scale"] == pytest.approx(fit)
    page.keyboard.press("+")
    assert _state(page)["scale"] == pytest.approx(fit * 1.25)
    page.keyboard.press("-")
    page.keyboard.press("1")  # one image pixel per device pixel: half a CSS pixel each
    assert _state(page)["scale"] == 0.5
    before = _state(page)
    page.keyboard.press("ArrowUp")
    assert _state(page)["ty"] == pytest.approx(before["ty"] + 40, abs=0.5)
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    _painted(page)
    state = _state(page)
    assert state["width"] == pytest.approx(30000 + key_step)
    assert state["center"] == pytest.approx(15000 + key_step)
    page.keyboard.press("i")
    assert _state(page)["inverted"] == "true"
    page.keyboard.press("r")
    state = _state(page)
    assert (state["scale"], state["center"], state["inverted"]) == (
        pytest.approx(fit),
        15000,
        "false",
    )

    # Full screen: the button enters, F leaves, F enters, Escape leaves; the label follows.
    full = page.get_by_role("button", name="Full screen")
    full.click()
    page.wait_for_function("() => document.fullscreenElement?.matches('[data-viewer]')")
    expect(page.get_by_role("button", name="Leave full screen")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.wait_for_function(
        f"() => +document.querySelector('[data-viewer]').dataset.fitScale > {fit * 1.05}"
    )  # the bigger stage refits the image
    stage.focus()
    page.keyboard.press("f")
    page.wait_for_function("() => document.fullscreenElement === null")
    expect(full).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("f")
    page.wait_for_function("() => document.fullscreenElement?.matches('[data-viewer]')")
    expect(page.get_by_role("button", name="Leave full screen")).to_be_visible()
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.fullscreenElement === null")
    expect(full).to_have_attribute("aria-pressed", "false")

    # The counts per kind go with the answer and are stored.
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
    response = Response.objects.get(trial__participant=participant, trial__position=1)
    # zoom: pinch, 0, +, -, 1, reset's; pan: one arrow; window: two Shift+arrows, reset's;
    # invert: i, reset's; full screen: entered twice
    assert (
        response.viewer_zoom,
        response.viewer_pan,
        response.viewer_window,
        response.viewer_invert,
        response.viewer_fullscreen,
        response.viewer_interactions,
    ) == (6, 1, 3, 2, 2, 14)


def test_given_a_case_without_a_source_when_viewed_then_presets_swap_the_rendered_images(
    page, reference_study, with_images, invitation_url, participant_at
):
    study = with_images(reference_study())
    Case.objects.filter(study=study).update(source_image="", source_window={})
    participant = participant_at(study, "trial")
    # A tablet in portrait, where the page scrolls (on a laptop only the answer panel does).
    page.set_viewport_size({"width": 768, "height": 1024})
    _open(page, invitation_url(participant), source=False)
    image = page.locator("[data-image]")
    expect(page.get_by_role("button", name="Window", exact=True)).to_have_count(0)

    preset = page.get_by_role("button", name="Lower contrast")
    preset.click()
    assert image.get_attribute("src") == preset.get_attribute("data-preset")
    expect(preset).to_have_attribute("aria-pressed", "true")

    # At fit, the wheel scrolling down over the image scrolls the page (it does not zoom out).
    page.mouse.move(*_stage_centre(page))
    page.mouse.wheel(0, 300)
    page.wait_for_function("() => window.scrollY > 0", timeout=2_000)
    assert _state(page)["scale"] == pytest.approx(_state(page)["fitScale"])
