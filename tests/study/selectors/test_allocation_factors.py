"""The allocation table promises every within-subject factor per slot, and enrolment then creates
exactly those trials; the console page shows them with the arm's explanation."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from study import selectors, services
from study.models import Advice, Arm, StudyMembership
from tests.factories import RADIOLOGIST, UserFactory, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db

BOX = {"type": "box", "x": 10, "y": 10, "width": 40, "height": 40}


def _study():
    study = gaube_study(open_study=False, annotated_per_participant=3)  # local arms
    # The AI arm draws annotations (local), the human arm does not (no explanation).
    Arm.objects.filter(study=study, code="human").update(explanation="none")
    advice = Advice.objects.filter(case__study=study)
    advice.update(annotation=BOX)
    # Only some variants have a confidence: the table must follow the allocated variant.
    advice.filter(variant="accurate", case__code__in=["C01", "C02", "C03", "C04", "C05"]).update(
        displayed_confidence=0.8
    )
    advice.filter(variant="inaccurate", case__code__in=["C01", "C06"]).update(
        displayed_confidence=0.7
    )
    return services.study_open(study=study)


def _codes(trials, flag: str) -> str:
    return ";".join(trial.case.code for trial in trials if getattr(trial, flag))


def test_the_allocation_table_lists_the_factor_levels_enrolment_then_creates():
    study = _study()
    participants = [enrolled_participant(study, RADIOLOGIST) for _ in range(4)]
    spec = services.study_design_spec(study=study)
    rows = {
        row["participant"]: row
        for row in selectors.allocation_rows(study=study, spec=spec, n_slots=4)
        if row["participant"]
    }
    annotated_any = confidence_any = False
    for participant in participants:
        trials = list(participant.trials.select_related("case").order_by("position"))
        row = rows[participant.public_id]
        assert row["arm"] == participant.arm.code
        assert row["case_order"] == ";".join(trial.case.code for trial in trials)
        assert row["annotated_cases"] == _codes(trials, "annotation_shown")
        assert row["confidence_cases"] == _codes(trials, "confidence_shown")
        assert row["training_cases"] == ""
        annotated_any |= bool(row["annotated_cases"])
        confidence_any |= bool(row["confidence_cases"])
        if participant.arm.advice_source == "human":
            assert row["confidence_cases"] == ""  # confidence shown with AI advice only
            assert row["annotated_cases"] == ""  # no explanation in the human arm
    assert annotated_any
    assert confidence_any
    header = list(selectors.ALLOCATION_COLUMNS)
    assert list(next(iter(rows.values()))) == header
    assert header[header.index("participant") + 1 :] == [
        "annotated_cases",
        "confidence_cases",
        "training_cases",
    ]


def test_a_control_arm_promises_no_inaccurate_annotated_or_confidence_cases():
    study = gaube_study(open_study=False)
    Arm.objects.filter(study=study, code="human").update(advice_source="none")
    Advice.objects.filter(case__study=study).update(displayed_confidence=0.9)
    study = services.study_open(study=study)
    spec = services.study_design_spec(study=study)
    rows = list(selectors.allocation_rows(study=study, spec=spec, n_slots=2))
    control = [row for row in rows if row["arm"] == "human"]
    advised = [row for row in rows if row["arm"] == "ai"]
    assert control
    assert advised
    for row in control:
        assert (row["inaccurate_cases"], row["annotated_cases"], row["confidence_cases"]) == (
            "",
            "",
            "",
        )
    for row in advised:
        assert len(row["inaccurate_cases"].split(";")) == 2
        assert row["confidence_cases"] == row["case_order"]


def test_the_allocation_page_shows_every_factor_and_the_arms_explanation(client):
    study = _study()
    owner = UserFactory(username="alloc-owner")
    owner.user_permissions.add(Permission.objects.get(codename="add_study"))
    StudyMembership.objects.create(study=study, user=owner, role=StudyMembership.Role.OWNER)
    client.force_login(owner)
    participant = enrolled_participant(study, RADIOLOGIST)
    response = client.get(reverse("console:allocation", args=[study.slug]) + "?slots=2")
    assert response.status_code == 200
    page = response.content.decode()
    for heading in ("Inaccurate advice", "Annotation drawn", "Confidence shown", "Training"):
        assert f'<th scope="col">{heading}</th>' in page
    assert "explanation: local" in page
    assert "explanation: none" in page
    trials = list(participant.trials.select_related("case").order_by("position"))
    annotated = [trial.case.code for trial in trials if trial.annotation_shown]
    assert annotated
    # codes are separated so the browser may wrap between them, never inside one
    assert "; <wbr>".join(annotated) in page
