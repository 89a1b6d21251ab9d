"""The trial page fits the screen (issue 11, point 1), measured in a real browser at each size:
on the three laptop sizes the whole image at fit and the advice card are on screen without
scrolling, the document does not scroll and the answer panel does, and its last control is
reached by scrolling the panel; on a tablet held upright the image comes first with a cue that
leads to the advice. Every 1..n scale is one row or one column, never a wrapped row. The tests
also write a screenshot of every participant page at every size to var/screenshots/."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from study import demo, services
from study.models import Participant, Study, Trial
from tests.e2e.layout import (
    LAPTOPS,
    MEASURE_JS,
    SCALES_JS,
    SIZES,
    TABLET,
    edges_outside,
    inside,
    scale_layout,
    screenshot,
    wait_for_image,
)
from tests.study.participant.modes import control, mode_study, participant_in, training_cases

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _answer(trial: Trial) -> None:
    services.response_record(
        trial=services.trial_show(trial=trial),
        answer=services.Answer(
            advice_rating=4, decision="reject", final_diagnosis="normal", confidence=3
        ),
    )


def _open_trial(page: Page, url: str, size: dict) -> dict:
    page.set_viewport_size(size)
    page.goto(url)
    wait_for_image(page)
    return page.evaluate(MEASURE_JS)


def _image_problems(measured: dict) -> list[str]:
    """The image whole on screen, inside the viewer's stage and as large as the stage allows
    (it fills the stage's width or its height: a shrunken image would pass the rest)."""
    image, stage, viewport = measured["image"], measured["stage"], measured["viewport"]
    problems = [f"image edge off screen: {edge}" for edge in edges_outside(image, viewport)]
    problems += [f"image edge outside the viewer: {edge}" for edge in _outside(image, stage)]
    fills = abs(image["width"] - stage["width"]) <= 2 or abs(image["height"] - stage["height"]) <= 2
    if not fills:
        problems.append(
            f"image {image['width']:.0f}x{image['height']:.0f} does not fill the stage "
            f"{stage['width']:.0f}x{stage['height']:.0f} either way"
        )
    return problems


def _outside(box: dict, frame: dict) -> list[str]:
    relative = {
        "top": box["top"] - frame["top"],
        "left": box["left"] - frame["left"],
        "bottom": box["bottom"] - frame["top"],
        "right": box["right"] - frame["left"],
    }
    return edges_outside(relative, {"width": frame["width"], "height": frame["height"]})


def _submit_reached_by_the_panel(page: Page) -> list[str]:
    """Scroll the submit button into view: the panel scrolls, the document stays, and the
    button is then whole on screen and the topmost element at its centre."""
    button = page.locator("form[data-trial-form] [data-submit]").last
    before = page.evaluate("() => document.scrollingElement.scrollTop")
    button.evaluate("button => button.scrollIntoView({block: 'nearest'})")
    state = button.evaluate(
        """button => { const box = button.getBoundingClientRect();
        const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
        return {box: {top: box.top, left: box.left, bottom: box.bottom, right: box.right},
                onTop: button.contains(hit),
                documentTop: document.scrollingElement.scrollTop,
                panelTop: document.querySelector(".answer-panel").scrollTop}; }"""
    )
    viewport = page.evaluate("() => ({width: innerWidth, height: innerHeight})")
    problems = [f"submit edge off screen: {edge}" for edge in edges_outside(state["box"], viewport)]
    if not state["onTop"]:
        problems.append("submit covered by another element")
    if state["documentTop"] != before:
        problems.append(f"the document scrolled to {state['documentTop']} to show submit")
    return problems


@pytest.mark.parametrize("size", LAPTOPS.values(), ids=LAPTOPS.keys())
def test_given_a_laptop_when_a_case_opens_then_the_image_and_advice_are_whole_without_scrolling(
    size, page, reference_study, with_images, invitation_url
):
    # The human arm's advice card is the longer one (its persona is a sentence).
    participant = participant_in(with_images(reference_study()), "human")

    measured = _open_trial(page, invitation_url(participant), size)
    screenshot(page, "trial-gaube", f"{size['width']}x{size['height']}")

    viewport = measured["viewport"]
    assert _image_problems(measured) == []
    assert edges_outside(measured["advice"], viewport) == []
    assert measured["documentScroll"]["height"] <= viewport["height"] + 1
    assert measured["documentScroll"]["width"] <= viewport["width"]
    assert measured["panel"]["overflowY"] == "auto"
    assert measured["panel"]["scrollHeight"] > measured["panel"]["clientHeight"]
    assert measured["cue"] is None  # the tablet's cue: both panels are in view here
    assert _submit_reached_by_the_panel(page) == []


def test_given_the_narrowest_laptop_when_each_demo_case_is_shown_then_its_advice_card_fits(
    page, reference_study, with_images, invitation_url
):
    """1024x768 is the narrowest advice panel and the lowest screen: every one of the demo's
    eight cases (each with its own vignette and advice text) must fit there."""
    participant = participant_in(with_images(reference_study()), "human")
    problems = []

    for trial in participant.trials.order_by("position"):
        measured = _open_trial(page, invitation_url(participant), LAPTOPS["1024x768"])
        for edge in edges_outside(measured["advice"], measured["viewport"]):
            problems.append(f"case {trial.position}: advice card {edge}")
        problems += [f"case {trial.position}: {problem}" for problem in _image_problems(measured)]
        _answer(trial)

    assert problems == []


def test_given_a_tablet_when_a_case_opens_then_the_image_comes_first_and_a_cue_leads_on(
    page, reference_study, with_images, invitation_url
):
    (size,) = TABLET.values()
    participant = participant_in(with_images(reference_study()), "human")

    measured = _open_trial(page, invitation_url(participant), size)
    screenshot(page, "trial-gaube-cue", "768x1024")

    viewport = measured["viewport"]
    assert _image_problems(measured) == []
    assert measured["image"]["height"] >= 0.45 * viewport["height"]
    cue = measured["cue"]
    assert cue is not None
    assert inside(cue, viewport)
    assert cue["top"] >= measured["stage"]["bottom"] - 1  # at the image's bottom edge
    assert measured["advice"]["top"] > cue["bottom"]  # the advice follows the image
    cue_link = page.get_by_role("link", name="Advice and questions below")
    expect(cue_link).to_be_visible()

    cue_link.click()

    page.wait_for_function(
        "() => document.querySelector('.advice-card').getBoundingClientRect().top < innerHeight"
        " && document.scrollingElement.scrollTop > 0"
    )
    advice = page.locator(".advice-card").bounding_box()
    assert 0 <= advice["y"] < viewport["height"] / 2
    screenshot(page, "trial-gaube-after-cue", "768x1024")


def test_given_a_no_advice_arm_on_a_tablet_then_the_cue_names_only_the_questions(
    page, with_images, invitation_url
):
    study = with_images(mode_study(arms=control("human")))
    participant = participant_in(study, "human")

    _open_trial(page, invitation_url(participant), TABLET["768x1024"])

    expect(page.locator(".answers-cue")).to_have_text("Questions below ↓")


def _scale_problems(page: Page, where: str) -> tuple[list[str], dict[str, str]]:
    problems, layouts = [], {}
    for scale in page.evaluate(SCALES_JS):
        layout = scale_layout(scale["points"])
        layouts[f"{scale['name']}:{len(scale['points'])}"] = layout
        if layout == "mixed":
            problems.append(f"{where} {scale['name']}: points neither in one row nor one column")
        for number, point in enumerate(scale["points"], start=1):
            if point["width"] < 44 - 0.5 or point["height"] < 44 - 0.5:
                problems.append(
                    f"{where} {scale['name']} point {number}: {point['width']:.0f}x"
                    f"{point['height']:.0f} px, under 44 px"
                )
            if point["right"] > scale["fieldset"]["right"] + 1:
                problems.append(f"{where} {scale['name']} point {number} sticks out of its box")
    return problems, layouts


SCALE_ITEMS = [
    {
        "code": f"scale_{low}_{high}",
        "wording": f"A scale of {high - low + 1} points",
        "type": "likert",
        "scale": [low, high],
        "anchors": ["not at all", "completely"],
    }
    for low, high in ((1, 5), (1, 7), (1, 10), (0, 10))
]


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_given_5_7_10_and_11_point_scales_at_each_size_then_each_is_one_row_or_one_column(
    size, page, participant_at, reference_study, with_images, invitation_url
):
    """In the questionnaire (a page wide) and in the trial's answer panel (a third of a
    laptop): a point never wraps onto a second line, and a scale too wide for its box turns
    into a column as a whole."""
    page.set_viewport_size(size)
    where = f"{size['width']}x{size['height']}"
    study = reference_study(questionnaire_items=SCALE_ITEMS)
    page.goto(invitation_url(participant_at(study, "questionnaire")))
    problems, layouts = _scale_problems(page, f"questionnaire {where}")
    assert len(layouts) == 4
    for low, high in ((5, 7), (10, 11)):
        study = with_images(reference_study(rating_scale_max=high, confidence_scale_max=low))
        participant = participant_at(study, "trial")
        page.goto(invitation_url(participant))
        found, trial_layouts = _scale_problems(page, f"trial {where}")
        problems += found
        layouts.update({f"trial-{key}": value for key, value in trial_layouts.items()})
        screenshot(page, f"trial-scales-{low}-{high}", where)

    assert problems == []
    # A page-wide scale of up to 11 points is a row at every size; so are the panel's 5- and
    # 7-point scales on a laptop (a column only where 44 px points cannot fit).
    assert {key: value for key, value in layouts.items() if not key.startswith("trial")} == {
        "scale_1_5:5": "row",
        "scale_1_7:7": "row",
        "scale_1_10:10": "row",
        "scale_0_10:11": "row",
    }
    assert layouts["trial-confidence:5"] == "row"
    assert layouts["trial-advice_rating:7"] == "row"


def test_given_a_narrow_answer_panel_then_a_10_point_scale_is_a_column_of_full_width_points(
    page, participant_at, reference_study, with_images, invitation_url
):
    study = with_images(reference_study(rating_scale_max=10))
    participant = participant_at(study, "trial")
    page.set_viewport_size(LAPTOPS["1024x768"])
    page.goto(invitation_url(participant))

    (rating,) = [s for s in page.evaluate(SCALES_JS) if s["name"] == "advice_rating"]

    assert scale_layout(rating["points"]) == "column"
    assert [round(point["top"]) for point in rating["points"]] == sorted(
        round(point["top"]) for point in rating["points"]
    )
    assert (
        page.locator("#id_advice_rating_9").evaluate(
            "radio => radio.closest('label').textContent.trim()"
        )
        == "10"
    )


def _page_at(name: str, study_for, participant_at) -> tuple[Participant, str]:
    """A participant whose page ``name`` shows, and the path to open."""
    if name in ("consent", "screening", "questionnaire", "debrief", "done"):
        return participant_at(study_for("gaube"), name), ""
    if name == "withdraw":
        return participant_at(study_for("gaube"), "trial"), "withdraw/"
    designs = {
        "trial-gaube": ("gaube", "human"),
        "trial-ai": ("gaube", "ai"),
        "trial-agree-disagree": ("agree", "ai"),
        "trial-category": ("category", "human"),
        "trial-no-advice": ("control", "human"),
        "trial-examples": ("examples", "ai"),
        "trial-annotated": ("annotated", "ai"),
        "reveal-before": ("reveal", "ai"),
        "reveal-after": ("reveal", "ai"),
        "feedback": ("feedback", "ai"),
    }
    design, arm = designs[name]
    participant = participant_in(study_for(design), arm)
    first = participant.trials.order_by("position").first()
    if name == "reveal-after":
        services.trial_unaided_record(
            trial=services.trial_show(trial=first), diagnosis="normal", confidence=4
        )
    if name == "feedback":
        _answer(first)
        return participant, f"case/{first.position}/feedback/"
    return participant, ""


PAGES = [
    "consent",
    "screening",
    "trial-gaube",
    "trial-ai",
    "trial-agree-disagree",
    "trial-category",
    "trial-no-advice",
    "trial-examples",
    "trial-annotated",
    "reveal-before",
    "reveal-after",
    "feedback",
    "questionnaire",
    "debrief",
    "done",
    "withdraw",
]


@pytest.fixture
def study_for(reference_study, with_images):
    """One study per design, made when first asked for and shared by the pages of a test."""
    made = {}
    settings = {
        "gaube": {},
        "agree": {"response_mode": "agree_disagree", "ask_rating": False},
        "category": {"response_mode": "category", "ask_rating": False, "ask_decision": False},
        "reveal": {"read_then_reveal": True},
    }

    def create(design: str) -> Study:
        if design in settings:
            return with_images(reference_study(**settings[design]))
        if design == "control":
            return with_images(mode_study(arms=control("human")))
        if design == "examples":
            return with_images(mode_study(arms={"ai": {"explanation": "global"}}, examples=True))
        if design == "annotated":  # the demo's Gaube 2023 study: its advice marks the image
            owner = get_user_model().objects.create_user("owner")
            return demo.demo_study_create(owner=owner, design="gaube2023")
        # feedback: two training cases first, each followed by the team's feedback
        study = reference_study(
            open_study=False,
            cases_per_participant=6,
            inaccurate_per_participant=2,
            training_feedback=True,
        )
        training_cases(study)
        return with_images(services.study_open(study=study))

    def get(design: str) -> Study:
        if design not in made:
            made[design] = create(design)
        return made[design]

    return get


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_given_every_participant_page_at_each_size_then_its_screenshot_shows_image_and_advice(
    size, page, study_for, participant_at, invitation_url
):
    """The issue's "done when": a screenshot of every participant page at each size, written to
    var/screenshots/; on the laptop sizes each case page shows its whole image and advice."""
    page.set_viewport_size(size)
    where = f"{size['width']}x{size['height']}"
    laptop = where in LAPTOPS
    problems = []

    for name in PAGES:
        participant, path = _page_at(name, study_for, participant_at)
        page.goto(invitation_url(participant) + path)
        if name.startswith(("trial", "reveal")):
            wait_for_image(page)
            measured = page.evaluate(MEASURE_JS)
            problems += [f"{name}: {problem}" for problem in _image_problems(measured)]
            if laptop and measured["advice"] is not None:
                problems += [
                    f"{name}: advice card {edge}"
                    for edge in edges_outside(measured["advice"], measured["viewport"])
                ]
            if laptop and measured["documentScroll"]["height"] > measured["viewport"]["height"] + 1:
                problems.append(f"{name}: the document scrolls")
        screenshot(page, name, where)

    assert problems == []
