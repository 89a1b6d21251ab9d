"""The trial page asks exactly the questions of its plan (study.core.questions) in each response
mode and arm kind, labels its scales with the study's anchors, and stores what it asked: the
questions not asked are stored empty, whatever is posted for them."""

import re

import pytest
from django.urls import reverse

from study import services
from study.models import Advice, Response
from tests.factories import gaube_study
from tests.study.participant.modes import (
    ARM_LABELS,
    CONTROL_LABEL,
    control,
    field_names,
    mode_study,
    participant_in,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_no_rate_limit")]

GAUBE = {"advice_rating", "decision", "final_diagnosis", "confidence"}


def _page(client, participant, position=1):
    url = reverse("participant:trial", args=[participant.token, position])
    response = client.get(url)
    assert response.status_code == 200
    return url, response.content.decode()


@pytest.mark.parametrize(
    ("design", "arms", "arm", "asked"),
    [
        ({}, None, "ai", GAUBE),
        (
            {"ask_rating": False, "ask_decision": False},
            None,
            "ai",
            {"final_diagnosis", "confidence"},
        ),
        (
            {"ask_diagnosis": False, "ask_confidence": False},
            None,
            "human",
            {"advice_rating", "decision"},
        ),
        (
            {"response_mode": "agree_disagree", "ask_rating": False},
            None,
            "ai",
            {"agreed", "confidence"},
        ),
        (
            {"response_mode": "agree_disagree", "ask_confidence": False},
            None,
            "ai",
            {"advice_rating", "agreed"},
        ),
        (
            {"response_mode": "category", "ask_rating": False, "ask_decision": False},
            None,
            "ai",
            {"final_diagnosis", "confidence"},
        ),
        ({"response_mode": "category"}, None, "human", GAUBE),
        ({}, control(), "human", {"final_diagnosis", "confidence"}),
        (
            {"response_mode": "agree_disagree"},
            control(),
            "human",
            {"final_diagnosis", "confidence"},
        ),
        (
            {"response_mode": "category", "ask_confidence": False},
            control(),
            "human",
            {"final_diagnosis"},
        ),
    ],
    ids=[
        "gaube",
        "gaube-diagnosis-confidence",
        "gaube-rating-decision",
        "agree-confidence",
        "agree-rating",
        "category-confidence",
        "category-all",
        "control-gaube",
        "control-agree",
        "control-category",
    ],
)
def test_each_mode_renders_exactly_its_questions(client, design, arms, arm, asked):
    study = mode_study(arms=arms, **design)
    participant = participant_in(study, arm)
    _, html = _page(client, participant)

    assert field_names(html) == asked
    if "agreed" in asked:
        buttons = re.findall(
            r'<button type="submit"[^>]*name="agreed" value="(\w+)"[^>]*>(\w+)<', html
        )
        assert buttons == [("yes", "Agree"), ("no", "Disagree")]
        assert "Save and continue" not in html
    else:
        assert "Save and continue" in html
        assert 'name="agreed"' not in html


def test_a_category_read_is_one_radio_list_of_the_study_categories_in_order(client):
    study = mode_study(response_mode="category", ask_rating=False, ask_decision=False)
    participant = participant_in(study, "ai")
    _, html = _page(client, participant)

    fieldset = html.split("<legend>Your category</legend>")[1].split("</fieldset>")[0]
    codes = re.findall(r'type="radio" name="final_diagnosis" value="([a-z_]+)"', fieldset)
    assert codes == list(study.diagnoses.order_by("position").values_list("code", flat=True))
    assert "<select" not in html
    # The advice suggests a category, in the words the read uses.
    assert "<strong>Suggested category:</strong>" in html
    assert "Suggested diagnosis" not in html


def test_the_scales_carry_the_study_anchors_also_in_the_unaided_read(client):
    study = mode_study(
        read_then_reveal=True,
        rating_anchor_low="useless",
        rating_anchor_high="superb",
        confidence_anchor_low="guessing",
        confidence_anchor_high="certain",
        confidence_scale_max=5,
    )
    participant = participant_in(study, "ai")
    url, unaided = _page(client, participant)
    assert "How confident are you in this diagnosis? (1 = guessing, 5 = certain)" in unaided

    client.post(url, {"unaided_diagnosis": "normal", "unaided_confidence": "3"})
    _, revealed = _page(client, participant)
    assert "How would you rate the quality of this advice? (1 = useless, 7 = superb)" in revealed
    assert "How confident are you in your final diagnosis? (1 = guessing, 5 = certain)" in revealed
    assert "very poor" not in revealed
    assert "completely" not in revealed


def _stored(participant, position=1) -> Response:
    return Response.objects.get(trial__participant=participant, trial__position=position)


def test_a_switched_off_question_is_stored_empty_whatever_is_posted(client):
    study = mode_study(ask_rating=False, ask_confidence=False)
    participant = participant_in(study, "ai")
    url, _ = _page(client, participant)
    advised = participant.trials.get(position=1).advice.diagnosis

    response = client.post(
        url,
        {"advice_rating": "5", "decision": "accept", "final_diagnosis": advised, "confidence": "2"},
    )

    assert response.status_code == 302
    stored = _stored(participant)
    assert (stored.response_mode, stored.advice_rating, stored.confidence) == ("gaube", None, None)
    assert (stored.decision, stored.final_diagnosis, stored.agreed) == ("accept", advised, None)


@pytest.mark.parametrize(("button", "agreed"), [("yes", True), ("no", False)])
def test_agree_disagree_stores_the_button_and_both_times(client, button, agreed):
    study = mode_study(response_mode="agree_disagree", ask_rating=False)
    participant = participant_in(study, "ai")
    url, _ = _page(client, participant)

    response = client.post(
        url,
        {"agreed": button, "confidence": "4", "client_response_ms": "900", "decision": "reject"},
    )

    assert response.status_code == 302
    stored = _stored(participant)
    assert (stored.response_mode, stored.agreed, stored.confidence) == (
        "agree_disagree",
        agreed,
        4,
    )
    assert (stored.advice_rating, stored.decision, stored.final_diagnosis) == (None, "", "")
    assert stored.client_response_ms == 900
    assert stored.answered_at >= stored.trial.advice_shown_at


def test_agree_disagree_without_a_button_is_refused_naming_it(client):
    study = mode_study(response_mode="agree_disagree", ask_rating=False)
    participant = participant_in(study, "ai")
    url, _ = _page(client, participant)

    response = client.post(url, {"confidence": "4"})

    assert response.status_code == 400
    assert '<a href="#id_agreed">Please choose Agree or Disagree.</a>' in response.content.decode()
    assert not Response.objects.filter(trial__participant=participant).exists()


def test_a_category_read_stores_the_category_as_final_diagnosis(client):
    study = mode_study(response_mode="category", ask_rating=False, ask_decision=False)
    participant = participant_in(study, "human")
    url, _ = _page(client, participant)

    assert (
        client.post(url, {"final_diagnosis": "pneumothorax", "confidence": "6"}).status_code == 302
    )
    stored = _stored(participant)
    assert (stored.response_mode, stored.final_diagnosis, stored.confidence) == (
        "category",
        "pneumothorax",
        6,
    )
    assert (stored.advice_rating, stored.decision, stored.agreed) == (None, "", None)
    refused = client.post(
        reverse("participant:trial", args=[participant.token, 2]),
        {"final_diagnosis": "birads_9", "confidence": "6"},
    )
    assert refused.status_code == 400


def test_the_control_arm_shows_no_advice_and_names_no_source(client):
    study = mode_study(arms=control())
    participant = participant_in(study, "human")
    for trial in participant.trials.select_related("advice").order_by("position"):
        url, html = _page(client, participant, trial.position)
        assert "advice-card" not in html
        assert "Advice from" not in html
        assert "Suggested diagnosis" not in html
        assert "data-advised" not in html
        assert trial.advice.findings.split(".")[0] not in html
        for label in ARM_LABELS:
            assert label not in html
        assert "Your read" in html
        assert "Your diagnosis" in html
        assert "Withdraw from this study" in html
        assert "progress" in html
        client.post(url, {"final_diagnosis": "normal", "confidence": "3"})
        stored = _stored(participant, trial.position)
        assert (stored.final_diagnosis, stored.confidence, stored.advice_rating) == (
            "normal",
            3,
            None,
        )
    assert participant.trials.get(position=1).source_label == ""
    assert (
        CONTROL_LABEL
        not in client.get(reverse("participant:entry", args=[participant.token])).content.decode()
    )


@pytest.mark.parametrize(
    ("display", "shown_in"),
    [("ai", {"ai"}), ("all", {"ai", "human"}), ("none", set())],
)
def test_the_displayed_confidence_is_shown_only_where_the_study_says(client, display, shown_in):
    study = gaube_confidence_study(display)
    for arm in ("ai", "human"):
        participant = participant_in(study, arm)
        _, html = _page(client, participant)
        assert ("Confidence:</strong> 87 %" in html) == (arm in shown_in), arm


def gaube_confidence_study(display: str):
    study = gaube_study(open_study=False, confidence_display=display)
    Advice.objects.filter(case__study=study).update(displayed_confidence=87)
    return services.study_open(study=study)
