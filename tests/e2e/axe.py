"""axe-core in the browser tests: the copy npm installed from package-lock.json
(node_modules/axe-core, never downloaded at test time) is evaluated in the page and run against
WCAG 2.0 and 2.1 A and AA plus Deque's best practices; its serious and critical violations come
back as readable failure text.

The source goes in through page.evaluate, which runs it as the DevTools protocol's own script:
the page's Content-Security-Policy governs the page's scripts, not that one, so no policy is
loosened and the conftest's watch for blocked content and script errors stays on."""

import functools
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from study import services
from study.demo.examples import example_png
from study.models import Advice, Arm, Study
from study.services.examples import example_image_add
from tests.factories import gaube_study

ROOT = Path(__file__).resolve().parents[2]
AXE_DIR = ROOT / "node_modules" / "axe-core"
# WCAG 2.0 and 2.1 level A and AA, and the best practices (one h1, landmarks, skip link
# target...): the checks this project's pages promise to pass.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
REPORTED = ("serious", "critical")

_RUN_JS = """async ({tags, reported}) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                           resultTypes: ["violations"]});
  return result.violations.filter(v => reported.includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}"""


def _pinned_version() -> str:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    return lock["packages"]["node_modules/axe-core"]["version"]


@functools.cache
def axe_source() -> str:
    """axe.min.js as installed; a missing or stale install fails the test (CI must run these
    checks, so they never skip) and says how to install it."""
    pinned = _pinned_version()
    script = AXE_DIR / "axe.min.js"
    if not script.exists():
        pytest.fail(
            f"axe-core is not installed ({script} is missing): run `make install`, which runs "
            "`npm ci` from package-lock.json",
            pytrace=False,
        )
    installed = json.loads((AXE_DIR / "package.json").read_text())["version"]
    if installed != pinned:
        pytest.fail(
            f"node_modules has axe-core {installed} but package-lock.json pins {pinned}: "
            "run `make install` (npm ci)",
            pytrace=False,
        )
    return script.read_text()


def axe_violations(page: Page) -> list[str]:
    """The serious and critical violations on the page as it is now, one text per rule: the
    rule, its help, the page URL and each failing element's selector and why it fails."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    found = page.evaluate(_RUN_JS, {"tags": TAGS, "reported": list(REPORTED)})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} on {page.url}\n"
        + "\n".join(f"  - {n['target']}: {' '.join(n['summary'].split())}" for n in v["nodes"])
        for v in found
    ]


# A page state the walks check: its name, and how to reach it in the browser.
Visit = tuple[str, Callable[[Page], None]]


def visits_audit(page: Page, visits: list[Visit]) -> list[str]:
    """Reach each page state in turn and run axe once on it; every violation names its state."""
    found = []
    for name, reach in visits:
        reach(page)
        found += [f"[{name}] {text}" for text in axe_violations(page)]
    return found


def page_at(
    url: str,
    *,
    status: int = 200,
    ends_with: str | None = None,
    shows: str = "h1",
    timeout_ms: float | None = None,
) -> Callable[[Page], None]:
    """Go to url: the page must answer `status`, stay at url (or, after the redirects a
    participant's link makes, at a path ending `ends_with`) and show `shows`, so a redirect
    elsewhere cannot pass for the page meant."""

    def reach(page: Page) -> None:
        response = page.goto(url, timeout=timeout_ms)
        assert response is not None, url
        assert response.status == status, url
        if ends_with is None:
            assert page.url == url, (page.url, url)
        else:
            assert page.url.endswith(ends_with), (page.url, ends_with)
        expect(page.locator(shows).first).to_be_visible()

    return reach


def explanation_study(**overrides) -> Study:
    """Prinster 2024's design without the demo's image processing (which takes a loaded
    machine half a minute): agree/disagree with the AI's confidence shown, the "ai" arm a local
    explanation (every advice's box drawn), the "human" arm a global one (a strip of example
    images of the advised diagnosis, one per diagnosis, added through the example library's
    service). The caller attaches the case images."""
    study = gaube_study(
        open_study=False,
        annotated_per_participant=8,
        response_mode="agree_disagree",
        ask_rating=False,
        ask_decision=False,
        ask_confidence=False,
        confidence_display="ai",
        **overrides,
    )
    Advice.objects.filter(case__study=study).update(
        annotation={"type": "box", "x": 200, "y": 200, "width": 300, "height": 260},
        displayed_confidence=87,
    )
    Arm.objects.filter(study=study, code="human").update(explanation="global")
    for number, code in enumerate(study.diagnoses.values_list("code", flat=True), start=1):
        example_image_add(
            study=study, diagnosis=code, filename=f"ex-{number}.png", content=example_png(code, 0)
        )
    return services.study_open(study=study)
