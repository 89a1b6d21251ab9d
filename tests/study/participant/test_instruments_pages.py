"""Screening and questionnaire pages take their options and items from the study's instruments
(study.core.instruments); the services check the answers against the same instruments."""

import re

import pytest
from django.urls import reverse

from study import services
from study.models import Participant
from tests.factories import answer_all, gaube_study

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_no_rate_limit")]

SCREENING = {
    "specialties": [["breast_imaging", "Breast imaging"], ["radiology", "General radiology"]],
    "training_levels": [["fellow", "Fellow"], ["consultant", "Consultant"]],
    "prior_ai_use": [["no", "Never"], ["yes", "Yes, at work"]],
}
STRATA = {"breast_imaging": "radiology", "radiology": "non_radiology"}
ITEMS = [
    {
        "code": "trust",
        "wording": "How much do you trust the system?",
        "type": "likert",
        "scale": [0, 4],
        "anchors": ["none", "fully"],
    },
    {"code": "age", "wording": "Your age", "type": "number", "scale": [18, 99]},
    {
        "code": "device",
        "wording": "Device",
        "type": "choice",
        "choices": [["pc", "PC"], ["tab", "Tablet"]],
    },
    {
        "code": "tools",
        "wording": "Tools you use",
        "type": "multiple",
        "required": False,
        "choices": [["pacs", "PACS"], ["cad", "CAD"], ["llm", "Chatbot"]],
    },
    {"code": "notes", "wording": "Notes", "type": "text", "required": False, "max_length": 20},
]


def _consented(study) -> Participant:
    (participant,) = services.invitations_create(study=study, count=1)
    return services.participant_consent(participant=participant, agreed=True)


def test_a_custom_screening_renders_and_accepts_only_its_options(client):
    study = gaube_study(screening=SCREENING, stratum_map=STRATA)
    participant = _consented(study)
    url = reverse("participant:screening", args=[participant.token])
    html = client.get(url).content.decode()

    assert re.findall(r'<option value="([a-z_]+)"', html) == [
        "breast_imaging",
        "radiology",
        "fellow",
        "consultant",
    ]
    assert "Internal medicine" not in html
    assert "Resident" not in html
    assert re.findall(r'name="prior_ai_use" value="(\w+)"', html) == ["no", "yes"]
    default = {"specialty": "internal_medicine", "training_level": "resident"}
    answer = {"specialty": "breast_imaging", "training_level": "fellow", "years_experience": "4"}
    refused = client.post(url, {**answer, **default, "prior_ai_use": "never"})
    assert refused.status_code == 400
    assert client.post(url, {**answer, "prior_ai_use": "yes"}).status_code == 302
    participant.refresh_from_db()
    assert (participant.specialty, participant.training_level, participant.prior_ai_use) == (
        "breast_imaging",
        "fellow",
        "yes",
    )
    assert participant.stratum == "radiology"


def test_the_enrolment_service_refuses_an_option_the_study_does_not_offer():
    study = gaube_study(screening=SCREENING, stratum_map=STRATA)
    participant = _consented(study)
    screening = services.Screening("radiology", "attending", 3, "yes")
    with pytest.raises(services.ResponseInvalid, match="training_level: unknown code 'attending'"):
        services.participant_enrol(participant=participant, screening=screening)


def _at_questionnaire(study) -> Participant:
    participant = _consented(study)
    participant = services.participant_enrol(
        participant=participant, screening=services.Screening("radiology", "attending", 5, "never")
    )
    answer_all(participant)
    return participant


VALID = {"trust": "0", "age": "41", "device": "tab", "tools": ["pacs", "llm"], "notes": "ok"}


def test_a_custom_questionnaire_renders_its_items_and_stores_checked_answers(client):
    study = gaube_study(questionnaire_items=ITEMS)
    participant = _at_questionnaire(study)
    url = reverse("participant:questionnaire", args=[participant.token])
    html = client.get(url).content.decode()

    assert "How much do you trust the system? (0 = none, 4 = fully)" in html
    assert re.findall(r'name="trust" value="(\d+)"', html) == ["0", "1", "2", "3", "4"]
    assert "Your age (18 to 99)" in html
    assert re.findall(r'type="checkbox" name="tools" value="(\w+)"', html) == ["pacs", "cad", "llm"]
    assert "ai_attitude" not in html
    assert client.post(url, {**VALID, "age": "17"}).status_code == 400
    assert client.post(url, {**VALID, "tools": ["pacs", "dicom"]}).status_code == 400
    assert client.post(url, {**VALID, "notes": "x" * 21}).status_code == 400
    without_device = {code: value for code, value in VALID.items() if code != "device"}
    missing = client.post(url, without_device)
    assert missing.status_code == 400
    # The summary names the question Django's own message leaves out.
    assert "“Device” needs an answer." in missing.content.decode()

    assert client.post(url, VALID).status_code == 302
    participant.refresh_from_db()
    assert participant.questionnaire == {
        "trust": 0,
        "age": 41,
        "device": "tab",
        "tools": ["pacs", "llm"],
        "notes": "ok",
    }


# The form's cleaned answers, as the service receives them.
CLEANED = {"trust": 0, "age": 41, "device": "tab", "tools": ["pacs", "llm"], "notes": "ok"}


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({**CLEANED, "ai_attitude": 4}, "ai_attitude: not an item of this study's questionnaire"),
        ({**CLEANED, "trust": 5}, "trust: must be a whole number from 0 to 4, got 5"),
        ({**CLEANED, "age": 100}, "age: must be a whole number from 18 to 99, got 100"),
        ({**CLEANED, "age": "41"}, "age: must be a whole number from 18 to 99, got '41'"),
        ({**CLEANED, "device": "phone"}, "device: unknown choice 'phone'"),
        ({**CLEANED, "tools": ["cad", "fax"]}, "tools: choices must be among cad, llm, pacs"),
        ({**CLEANED, "notes": "x" * 21}, "notes: must be a text of at most 20 characters"),
    ],
    ids=["unknown", "likert", "number", "number-text", "choice", "multiple", "text"],
)
def test_the_questionnaire_service_checks_the_study_items(answers, message):
    study = gaube_study(questionnaire_items=ITEMS)
    participant = _at_questionnaire(study)
    with pytest.raises(services.ResponseInvalid, match=re.escape(message)):
        services.questionnaire_record(participant=participant, answers=answers)
    participant.refresh_from_db()
    assert participant.questionnaire_at is None


def test_optional_items_may_be_left_empty():
    study = gaube_study(questionnaire_items=ITEMS)
    participant = _at_questionnaire(study)
    answers = {"trust": 2, "age": 30, "device": "pc", "tools": [], "notes": ""}
    participant = services.questionnaire_record(participant=participant, answers=answers)
    assert participant.questionnaire_at is not None
