"""The researchers' preview shows the same trial page as a participant gets, for every response
mode and arm kind (study.core.questions), and writes nothing."""

import re

import pytest
from django.urls import reverse

from study.models import Advice, Response, StudyMembership
from tests.factories import UserFactory
from tests.study.participant.modes import CONTROL_LABEL, control, field_names, mode_study

pytestmark = pytest.mark.django_db


def _preview(client, study, **query):
    viewer = UserFactory(username=f"viewer-{study.slug}")
    StudyMembership.objects.get_or_create(
        study=study, user=viewer, defaults={"role": StudyMembership.Role.VIEWER}
    )
    client.force_login(viewer)
    url = reverse("participant:preview", args=[study.slug])
    return client.get(url, {"case": "C01", **query})


def test_the_preview_of_agree_mode_has_the_two_buttons_and_its_questions(client):
    study = mode_study(response_mode="agree_disagree", ask_rating=False)
    html = _preview(client, study, arm="ai").content.decode()
    assert field_names(html) == {"agreed", "confidence"}
    assert ">Agree</button>" in html
    assert ">Disagree</button>" in html


def test_the_preview_of_a_category_read_lists_the_categories(client):
    study = mode_study(response_mode="category", ask_rating=False, ask_decision=False)
    html = _preview(client, study, arm="ai").content.decode()
    assert field_names(html) == {"final_diagnosis", "confidence"}
    assert "<legend>Your category</legend>" in html


def test_the_preview_of_a_control_arm_shows_no_advice(client):
    study = mode_study(arms=control())
    html = _preview(client, study, arm="human").content.decode()
    advice = study.cases.get(code="C01").advice.get(variant="accurate")
    assert "advice-card" not in html
    assert advice.findings.split(".")[0] not in html
    assert "Advice from" not in html
    assert field_names(html) == {"final_diagnosis", "confidence"}
    # The preview bar names the arms to choose from; the page itself names none.
    page = html.split("</header>", 1)[1]
    assert CONTROL_LABEL not in page


def test_the_preview_shows_the_displayed_confidence_as_the_study_rule_says(client):
    study = mode_study()
    Advice.objects.filter(case__study=study).update(displayed_confidence=87)
    assert "87 %" in _preview(client, study, arm="ai").content.decode()
    assert "87 %" not in _preview(client, study, arm="human").content.decode()


def test_the_preview_of_a_global_arm_shows_and_serves_the_examples(client):
    study = mode_study(arms={"ai": {"explanation": "global"}}, examples=True)
    html = _preview(client, study, arm="ai", variant="inaccurate").content.decode()
    advised = study.cases.get(code="C01").advice.get(variant="inaccurate").diagnosis
    label = dict(study.diagnoses.values_list("code", "label"))[advised]
    sources = re.findall(r'<img src="(/preview/[^"]+/example/[^"]+)"', html)
    assert f"Example images of {label}" in html
    assert len(sources) == 2
    for source in sources:
        assert client.get(source).status_code == 200
    assert client.get(f"/preview/{study.slug}/example/nothing.png").status_code == 404
    assert Response.objects.count() == 0
