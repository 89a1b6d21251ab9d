"""Preview as participant: every page, arm and advice variant, on a draft or an open study,
marked as a preview and writing nothing."""

import pytest
from django.urls import reverse

from study.models import AuditEvent, Participant, Response, Study, StudyMembership, Trial
from tests.factories import UserFactory, gaube_study

pytestmark = pytest.mark.django_db


def _counts(study):
    study = Study.objects.get(pk=study.pk)
    return (
        Participant.objects.count(),
        Trial.objects.count(),
        Response.objects.count(),
        AuditEvent.objects.filter(study=study).count(),
        study.design_locked_at,
        study.design_hash,
    )


@pytest.fixture
def viewer_client(client):
    viewer = UserFactory(username="viewer")
    client.force_login(viewer)
    return client, viewer


def _url(study, **query):
    return reverse("participant:preview", args=[study.slug]), query


@pytest.mark.parametrize("open_study", [False, True], ids=["draft", "open"])
def test_given_each_page_and_condition_then_it_is_marked_and_nothing_is_written(
    viewer_client, open_study
):
    client, viewer = viewer_client
    study = gaube_study(open_study=open_study)
    StudyMembership.objects.create(study=study, user=viewer, role=StudyMembership.Role.VIEWER)
    before = _counts(study)
    inaccurate = study.cases.get(code="C01").advice.get(variant="inaccurate")
    url, _ = _url(study)
    for page in ("consent", "screening", "trial", "questionnaire", "debrief"):
        html = client.get(url, {"page": page}).content.decode()
        assert "Nothing you enter is stored." in html, page
        assert "Withdraw from this study" not in html, page
    for arm, label in (("ai", "CHEST-AI"), ("human", "Dr. S. Johnson")):
        html = client.get(
            url, {"arm": arm, "case": "C01", "variant": "inaccurate"}
        ).content.decode()
        assert f"Advice from {label}" in html
        assert inaccurate.findings.split(".")[0] in html
    response = client.post(
        f"{url}?arm=ai&case=C01&variant=inaccurate",
        {
            "advice_rating": "4",
            "decision": "reject",
            "final_diagnosis": "normal",
            "confidence": "5",
        },
    )
    assert "This answer would be accepted. Nothing was stored." in response.content.decode()
    assert _counts(study) == before


def test_given_accept_with_another_diagnosis_then_the_preview_shows_the_same_error(
    viewer_client,
):
    client, viewer = viewer_client
    study = gaube_study()
    StudyMembership.objects.create(study=study, user=viewer, role=StudyMembership.Role.VIEWER)
    advised = study.cases.get(code="C01").advice.get(variant="accurate").diagnosis
    other = study.diagnoses.exclude(code=advised).first().code
    url, _ = _url(study)
    html = client.post(
        f"{url}?arm=ai&case=C01&variant=accurate",
        {"advice_rating": "4", "decision": "accept", "final_diagnosis": other, "confidence": "5"},
    ).content.decode()
    assert "you accepted the advice, so your final diagnosis is the advised one" in html
    assert "would be accepted" not in html


def test_given_read_then_reveal_then_the_unaided_read_comes_first(viewer_client):
    client, viewer = viewer_client
    study = gaube_study(read_then_reveal=True)
    StudyMembership.objects.create(study=study, user=viewer, role=StudyMembership.Role.VIEWER)
    url, _ = _url(study)
    advice = study.cases.get(code="C02").advice.get(variant="accurate")
    before = client.get(url, {"case": "C02"}).content.decode()
    after = client.get(url, {"case": "C02", "revealed": "1"}).content.decode()
    assert "Your own read" in before
    assert advice.findings.split(".")[0] not in before
    assert advice.findings.split(".")[0] in after


def test_given_an_unknown_arm_then_404_says_so_and_a_stranger_sees_no_study(client):
    owner = UserFactory(username="owner")
    study = gaube_study(owner=owner)
    client.force_login(owner)
    url, _ = _url(study)
    response = client.get(url, {"arm": "robot"})
    assert response.status_code == 404
    assert "That arm, case or advice variant does not exist in this study." in (
        response.content.decode()
    )
    client.force_login(UserFactory(username="stranger"))
    assert client.get(url).status_code == 404
