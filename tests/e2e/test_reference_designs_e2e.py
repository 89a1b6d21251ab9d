"""Each reference design runs as designed (issue 10, point 7): for every design template, its demo
study is completed in a real browser by a participant who answers whatever each page asks, and
the export then holds exactly the factor levels the allocation table promised for that
participant, with the columns the design's response mode fills (and only those)."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from study import demo, services
from study.core import design_templates
from study.models import Participant, Study
from study.selectors.export_rows import allocation_rows, trial_rows
from study.services.studies import study_design_spec

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A participant who takes part: consents, keeps their answers, and otherwise rejects the advice
# (which allows any final diagnosis) and takes the first option of everything else.
_FILL = """
(form) => {
  const prefer = ["yes", "keep", "reject"];
  const radios = [...form.querySelectorAll('input[type=radio]')];
  for (const name of new Set(radios.map((r) => r.name))) {
    const group = radios.filter((r) => r.name === name);
    (group.find((r) => prefer.includes(r.value)) || group[0]).click();
  }
  const boxes = [...form.querySelectorAll('input[type=checkbox]')];
  for (const name of new Set(boxes.map((b) => b.name))) {
    const first = boxes.find((b) => b.name === name);
    if (!first.checked) first.click();
  }
  for (const select of form.querySelectorAll('select')) {
    const option = [...select.options].find((o) => o.value);
    select.value = option.value;
    select.dispatchEvent(new Event('change', {bubbles: true}));
  }
  for (const input of form.querySelectorAll('input[type=number]')) {
    input.value = input.name === 'years_experience' ? '12' : (input.min || '1');
  }
  for (const text of form.querySelectorAll('textarea')) text.value = 'No comments.';
}
"""


def _walk(page: Page, url: str, *, pages_max: int = 80) -> list[str]:
    """Answer every page from the invitation to the completion page; the paths visited."""
    page.goto(url)
    visited = []
    for _ in range(pages_max):
        path = re.sub(r"^https?://[^/]+", "", page.url)
        visited.append(path)
        if path.rstrip("/").endswith("/done"):
            return visited
        form = page.locator("main form[method=post]").last
        form.evaluate(_FILL)
        # The first submit button: "Continue", "Save and continue", or "Agree" in a
        # simple-trust trial (whose click is the decision).
        button = form.locator("button[type=submit], button:not([type])").first
        with page.expect_navigation():
            button.click()
    raise AssertionError(f"no completion page after {pages_max} pages: {visited[-5:]}")


def _split(cell) -> set[str]:
    return set(cell.split(";")) if cell else set()


@pytest.mark.parametrize("design", design_templates.TEMPLATE_NAMES)
def test_given_each_design_when_a_participant_completes_it_then_the_export_matches_its_allocation(
    design, page, live_server
):
    owner = get_user_model().objects.create_user("owner")
    study = demo.demo_study_create(owner=owner, design=design)
    template = design_templates.template_get(design)
    (participant,) = services.invitations_create(study=study, count=1)

    visited = _walk(page, f"{live_server.url}/p/{participant.token}/")

    expect(page.get_by_text(re.compile(r"TL-[A-Z0-9]{4}-[A-Z0-9]{4}"))).to_be_visible()
    participant = Participant.objects.get(pk=participant.pk)
    assert participant.status == Participant.Status.COMPLETED
    study = Study.objects.get(pk=study.pk)
    assert study.response_mode == template.settings["response_mode"]
    trials = participant.trials.count()
    assert trials == study.cases_per_participant + study.cases.filter(is_training=True).count()
    if study.training_feedback:
        assert any("/feedback" in path for path in visited), visited

    rows = [row for row in trial_rows(study=study) if row["participant"] == participant.public_id]
    assert len(rows) == trials
    (promised,) = [
        row
        for row in allocation_rows(
            study=study, spec=study_design_spec(study=study), n_slots=participant.slot + 1
        )
        if row["participant"] == participant.public_id
    ]
    test_rows = [row for row in rows if not row["is_training"]]
    assert promised["arm"] == rows[0]["arm"]
    assert (
        ";".join(row["case"] for row in sorted(rows, key=lambda r: r["position"]))
        == (promised["case_order"])
    )
    inaccurate = {row["case"] for row in test_rows if row["advice_correct"] is False}
    annotated = {row["case"] for row in rows if row["annotation_shown"]}
    confident = {row["case"] for row in rows if row["displayed_confidence"] is not None}
    assert inaccurate == _split(promised["inaccurate_cases"])
    assert annotated == _split(promised["annotated_cases"])
    assert confident == _split(promised["confidence_cases"])
    assert {row["case"] for row in rows if row["is_training"]} == _split(promised["training_cases"])

    arm = participant.arm
    for row in rows:
        assert row["response_mode"] == study.response_mode
        assert row["advice_source"] == arm.advice_source
        assert row["explanation"] == (arm.explanation if arm.gives_advice else None)
        _check_mode_columns(study, arm, row)


def _check_mode_columns(study: Study, arm, row: dict) -> None:
    """The columns the response mode and the switched-on questions fill, and only those."""
    advice = arm.gives_advice
    asked = {
        "advice_rating": advice and study.ask_rating,
        "confidence": study.ask_confidence,
    }
    if study.response_mode == "agree_disagree":
        asked.update(decision=False, final_diagnosis=not advice)
        assert (row["agreed"] is not None) == advice
        assert (row["decision_ms"] is not None) == advice
    else:
        asked.update(
            decision=advice and study.ask_decision,
            final_diagnosis=study.response_mode == "category" or not advice or study.ask_diagnosis,
        )
        assert row["agreed"] is None
        assert row["decision_ms"] is None
    for column, is_asked in asked.items():
        assert (row[column] not in (None, "")) == is_asked, (column, row)


def test_given_the_prinster_demo_then_the_global_arm_shows_examples_and_the_local_arm_boxes(
    new_context, live_server
):
    """The issue's "done when": demo_seed's Prinster 2024 study has a global-explanation arm
    whose trials show example images of the suggested diagnosis (loaded, not broken) and a
    local-explanation arm whose trials draw the advice's annotation, and an agree/disagree
    trial whose decision time is exported."""
    owner = get_user_model().objects.create_user("owner")
    study = demo.demo_study_create(owner=owner, design="prinster2024")
    # The first two enrolments of a stratum fill one permuted block: one of each arm.
    participants = services.invitations_create(study=study, count=2)
    seen = {}
    for participant in participants:
        page = new_context().new_page()
        page.goto(f"{live_server.url}/p/{participant.token}/")
        for _ in range(2):  # consent, then screening
            form = page.locator("main form[method=post]").last
            form.evaluate(_FILL)
            with page.expect_navigation():
                form.locator("button[type=submit], button:not([type])").first.click()
        assert "/case/" in page.url, page.url
        participant.refresh_from_db()
        explanation = participant.arm.explanation
        strip = page.locator(".example-strip img")
        if explanation == "global":
            expect(strip.first).to_be_visible()
            page.wait_for_function(
                "() => [...document.querySelectorAll('.example-strip img')]"
                ".every((i) => i.complete && i.naturalWidth > 0)"
            )
            assert page.locator("svg.annotation").count() == 0
        else:
            assert strip.count() == 0
            expect(page.locator("svg.annotation rect, svg.annotation line").first).to_be_attached()
        seen[explanation] = participant
        with page.expect_navigation():
            page.get_by_role("button", name="Agree", exact=True).click()
    assert set(seen) == {"global", "local"}
    for participant in seen.values():
        (row,) = [
            row for row in trial_rows(study=study) if row["participant"] == participant.public_id
        ]
        assert row["response_mode"] == "agree_disagree"
        assert row["agreed"] is True
        assert row["decision_ms"] is not None
        assert row["decision_ms"] >= 0
        assert row["client_response_ms"] is not None
