"""The study page's progress block in a real browser: it refreshes itself after 30 s without
reloading the page (Playwright's clock runs the timer), and the study and audit pages pass axe
and fit a 1280 px window with no horizontal scrolling, their tables included."""

import pytest
from playwright.sync_api import Page, expect

from study import services
from study.services.audit import audit_record
from tests.e2e.axe import axe_violations
from tests.e2e.console_cases import log_in
from tests.factories import UserFactory, answer_all, enrolled_participant, gaube_study

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _stat(page: Page, name: str):
    return page.locator("#progress-block .stat", has_text=name).locator("b").first


def _no_sideways_scroll(page: Page) -> list[str]:
    """The page and every scrolling table box: content as wide as the box, no wider."""
    return page.evaluate(
        """() => {
          const wide = [];
          const root = document.documentElement;
          if (root.scrollWidth > root.clientWidth) wide.push(`page ${root.scrollWidth}px`);
          for (const box of document.querySelectorAll('.scroll')) {
            if (box.scrollWidth > box.clientWidth + 1) {
              wide.push(`${box.getAttribute('aria-labelledby')} ${box.scrollWidth}px`);
            }
          }
          return wide;
        }"""
    )


def test_given_the_study_page_open_then_progress_refreshes_in_place_after_30_seconds(
    page: Page, live_server
):
    owner = UserFactory(username="owner")
    study = gaube_study(owner=owner)
    enrolled_participant(study)
    page.clock.install()
    log_in(page, live_server.url, "owner")
    page.goto(f"{live_server.url}/console/studies/{study.slug}/")
    expect(_stat(page, "enrolled")).to_have_text("1")
    page.evaluate("() => { window.notReloaded = true; }")

    answer_all(enrolled_participant(study))
    page.clock.run_for("00:29")
    expect(_stat(page, "enrolled")).to_have_text("1")  # not before its time
    page.clock.run_for("00:02")

    expect(_stat(page, "enrolled")).to_have_text("2")
    expect(page.locator("#progress-updated")).to_contain_text("Figures updated at")
    assert page.evaluate("() => window.notReloaded") is True
    expect(
        page.locator("#steps tbody tr", has_text="Questionnaire").locator("td").nth(1)
    ).to_have_text("1")

    page.clock.run_for("00:31")  # nothing changed: the block is left alone
    expect(page.locator("#progress-updated")).to_contain_text("No change at")


def test_given_the_refresh_link_then_without_script_the_page_reloads_with_new_figures(
    new_context, live_server
):
    study = gaube_study(owner=UserFactory(username="owner"))
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, live_server.url, "owner")
    page.goto(f"{live_server.url}/console/studies/{study.slug}/")
    expect(_stat(page, "enrolled")).to_have_text("0")

    enrolled_participant(study)
    page.get_by_role("link", name="Refresh").click()

    expect(_stat(page, "enrolled")).to_have_text("1")


def test_given_the_study_and_audit_pages_then_axe_passes_and_nothing_scrolls_sideways(
    new_context, live_server
):
    owner = UserFactory(username="owner")
    study = gaube_study(owner=owner, title="A study with a long enough title to wrap")
    for _ in range(3):
        answer_all(enrolled_participant(study))
    services.invitations_create(study=study, count=2)
    for number in range(55):
        audit_record(
            study=study,
            action="export",
            actor=owner,
            detail={
                "table": "trials",
                "rows": number,
                "columns": ["participant_id", "case", "advice_correct", "decision"] * 4,
                "sha256": "9f" * 32,
            },
        )
    page = new_context(viewport=DESKTOP).new_page()
    log_in(page, live_server.url, "owner")
    base = f"{live_server.url}/console/studies/{study.slug}"

    found = []
    for name, url in [
        ("study", f"{base}/"),
        ("audit", f"{base}/audit/"),
        ("audit page 2", f"{base}/audit/?page=2"),
        ("audit filtered", f"{base}/audit/?action=export&date_from=2020-01-01"),
        ("audit with a bad filter", f"{base}/audit/?date_from=yesterday"),
    ]:
        page.goto(url)
        page.locator("details").evaluate_all("(all) => all.forEach(d => { d.open = true; })")
        found += [f"[{name}] {text}" for text in axe_violations(page)]
        found += [f"[{name}] too wide: {box}" for box in _no_sideways_scroll(page)]

    assert found == [], "\n".join(found)
