"""The API shows the whole design a script needs: response mode and questions, anchors,
confidence display, training feedback, the arms' explanations, the instruments, the example
library's size, and each case's training flag and feedback. All read-only."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from study import services
from study.models import Arm, StudyMembership
from tests.factories import UserFactory, gaube_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory(username="owner")


@pytest.fixture
def api(client, owner):
    client.force_login(owner)
    return client


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (32, 32), 100).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def prinster(owner):
    study = gaube_study(
        open_study=False,
        response_mode="agree_disagree",
        ask_rating=False,
        ask_confidence=True,
        confidence_anchor_low="guessing",
        confidence_display="all",
        training_feedback=True,
        screening={"specialties": [["radiology", "Radiology"], ["other", "Other"]]},
        stratum_map={"radiology": "radiology"},
        questionnaire_items=[
            {
                "code": "trust",
                "wording": "Trust?",
                "type": "likert",
                "scale": [1, 5],
                "anchors": ["no", "yes"],
            }
        ],
    )
    StudyMembership.objects.create(study=study, user=owner, role="owner")
    Arm.objects.create(
        study=study, code="global", advice_source="ai", label="AI", explanation="global"
    )
    Arm.objects.create(study=study, code="control", advice_source="none", label="No advice")
    services.example_image_add(study=study, diagnosis="normal", filename="a.png", content=_png())
    case = study.cases.order_by("position").first()
    services.case_training_set(case=case, is_training=True, feedback="See the apex.")
    return study


def test_given_a_study_then_the_api_shows_every_design_setting(api, prinster):
    data = api.get(reverse("api:study", args=[prinster.slug])).json()
    assert {
        name: data[name]
        for name in (
            "response_mode",
            "ask_rating",
            "ask_decision",
            "ask_diagnosis",
            "ask_confidence",
            "rating_anchor_low",
            "rating_anchor_high",
            "confidence_anchor_low",
            "confidence_anchor_high",
            "confidence_display",
            "training_feedback",
            "example_count",
            "stratify_by",
            "rating_scale_max",
            "confidence_scale_max",
        )
    } == {
        "response_mode": "agree_disagree",
        "ask_rating": False,
        "ask_decision": True,
        "ask_diagnosis": True,
        "ask_confidence": True,
        "rating_anchor_low": "very poor",
        "rating_anchor_high": "excellent",
        "confidence_anchor_low": "guessing",
        "confidence_anchor_high": "completely",
        "confidence_display": "all",
        "training_feedback": True,
        "example_count": 1,
        "stratify_by": "specialty",
        "rating_scale_max": 7,
        "confidence_scale_max": 7,
    }
    assert data["screening"]["specialties"] == [
        {"code": "radiology", "label": "Radiology"},
        {"code": "other", "label": "Other"},
    ]
    assert data["screening"]["experience_bands"][0] == {"code": "0", "label": "0 to 4 years"}
    assert data["questionnaire_items"] == [
        {
            "code": "trust",
            "wording": "Trust?",
            "type": "likert",
            "required": True,
            "scale": [1, 5],
            "anchors": ["no", "yes"],
        }
    ]
    arms = {arm["code"]: (arm["advice_source"], arm["explanation"]) for arm in data["arms"]}
    assert arms["global"] == ("ai", "global")
    assert arms["control"] == ("none", "none")
    assert arms["ai"] == ("ai", "none")


def test_given_the_list_then_each_study_carries_the_same_fields(api, prinster):
    (listed,) = api.get(reverse("api:studies")).json()["results"]
    assert listed["response_mode"] == "agree_disagree"
    assert listed["example_count"] == 1


def test_given_the_cases_then_training_and_feedback_are_shown(api, prinster):
    cases = api.get(reverse("api:cases", args=[prinster.slug])).json()["results"]
    training = [case for case in cases if case["is_training"]]
    assert [(case["feedback"]) for case in training] == ["See the apex."]
    assert all(case["feedback"] == "" for case in cases if not case["is_training"])


def test_given_the_schema_then_the_design_fields_are_documented(api):
    schema = api.get(reverse("api:schema"), {"format": "json"}).json()
    study = schema["components"]["schemas"]["Study"]["properties"]
    assert study["response_mode"]["readOnly"] is True
    assert study["example_count"]["type"] == "integer"
    assert "$ref" in str(study["screening"])
    assert "QuestionnaireItem" in str(study["questionnaire_items"])
