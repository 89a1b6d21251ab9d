"""The screen sizes of issue 11 and the page measurements the layout tests make in the browser."""

from pathlib import Path

from playwright.sync_api import Page

# The three laptop sizes the image and the advice must fit without scrolling, and a tablet held
# upright (the stacked layout with its cue).
LAPTOPS = {
    "1280x800": {"width": 1280, "height": 800},
    "1366x768": {"width": 1366, "height": 768},
    "1024x768": {"width": 1024, "height": 768},
}
TABLET = {"768x1024": {"width": 768, "height": 1024}}
SIZES = {**LAPTOPS, **TABLET}

# For a person to look at, never committed (var/ is git-ignored).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# The image as the viewer shows it: its <img> or <canvas>, whichever it draws into (the largest
# visible one), once it has pixels.
IMAGE_READY_JS = """() => {
  const drawn = [...document.querySelectorAll("[data-viewer] img, [data-viewer] canvas")]
    .filter(el => el.checkVisibility() && (el.tagName === "CANVAS" ? el.width > 0
      : el.complete && el.naturalWidth > 0));
  return drawn.length > 0;
}"""

# Boxes in viewport coordinates, and whether the document itself scrolls.
MEASURE_JS = """() => {
  const box = el => {
    if (!el || !el.checkVisibility()) return null;
    const r = el.getBoundingClientRect();
    return {top: r.top, left: r.left, bottom: r.bottom, right: r.right,
            width: r.width, height: r.height};
  };
  const drawn = [...document.querySelectorAll("[data-viewer] img, [data-viewer] canvas")]
    .filter(el => el.checkVisibility())
    .sort((a, b) => b.clientWidth * b.clientHeight - a.clientWidth * a.clientHeight);
  const panel = document.querySelector(".answer-panel");
  return {
    viewport: {width: innerWidth, height: innerHeight},
    image: box(drawn[0]),
    stage: box(document.querySelector(".viewer-stage")),
    advice: box(document.querySelector(".advice-card")),
    cue: box(document.querySelector(".answers-cue")),
    documentScroll: {height: document.scrollingElement.scrollHeight,
                     width: document.scrollingElement.scrollWidth},
    panel: panel && {box: box(panel), scrollHeight: panel.scrollHeight,
                     clientHeight: panel.clientHeight,
                     overflowY: getComputedStyle(panel).overflowY},
  };
}"""

# Every 1..n scale of the page: each point's box and its radio's, the fieldset's.
SCALES_JS = """() => [...document.querySelectorAll(".choices.scale")].map(scale => {
  const r = el => { const b = el.getBoundingClientRect();
    return {top: b.top, left: b.left, right: b.right, bottom: b.bottom, width: b.width,
            height: b.height}; };
  return {
    name: scale.querySelector("input").name,
    points: [...scale.querySelectorAll(".choice")].map(r),
    fieldset: r(scale.closest("fieldset")),
  };
})"""

# The viewport's edges may sit half a pixel off (sub-pixel layout).
SLACK = 1


def inside(box: dict, viewport: dict) -> bool:
    return (
        box["top"] >= -SLACK
        and box["left"] >= -SLACK
        and box["bottom"] <= viewport["height"] + SLACK
        and box["right"] <= viewport["width"] + SLACK
    )


def edges_outside(box: dict, viewport: dict) -> list[str]:
    """Which edges of ``box`` lie outside the viewport, with by how much."""
    out = []
    if box["top"] < -SLACK:
        out.append(f"top {box['top']:.0f}")
    if box["left"] < -SLACK:
        out.append(f"left {box['left']:.0f}")
    if box["bottom"] > viewport["height"] + SLACK:
        out.append(f"bottom {box['bottom']:.0f} > {viewport['height']}")
    if box["right"] > viewport["width"] + SLACK:
        out.append(f"right {box['right']:.0f} > {viewport['width']}")
    return out


def scale_layout(points: list[dict]) -> str:
    """ "row" when every point has the same top, "column" when the same left, else "mixed"."""
    tops = {round(point["top"]) for point in points}
    lefts = {round(point["left"]) for point in points}
    if len(tops) == 1 and len(lefts) == len(points):
        return "row"
    if len(lefts) == 1 and len(tops) == len(points):
        return "column"
    return "mixed"


def screenshot(page: Page, name: str, size: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{size}.png")


def wait_for_image(page: Page) -> None:
    page.wait_for_function(IMAGE_READY_JS)
