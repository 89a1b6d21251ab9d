"""The admin edits designs until the first enrolment, then shows them read-only."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = UserFactory(username="admin")
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    return client


def test_given_a_draft_study_then_its_design_fields_are_editable(admin_client):
    study = gaube_study(open_study=False)
    page = admin_client.get(reverse("admin:study_study_change", args=[study.pk]))
    assert 'name="cases_per_participant"' in page.content.decode()
    assert 'name="arms-0-label"' in page.content.decode()


def test_given_a_locked_study_then_design_fields_arms_and_cases_are_read_only(admin_client):
    study = gaube_study()
    enrolled_participant(study)
    page = admin_client.get(reverse("admin:study_study_change", args=[study.pk])).content.decode()
    assert 'name="cases_per_participant"' not in page
    assert 'name="seed"' not in page
    assert 'name="arms-0-label"' not in page
    case = study.cases.get(code="C01")
    page = admin_client.get(reverse("admin:study_case_change", args=[case.pk])).content.decode()
    assert 'name="code"' not in page
    assert 'name="advice-0-diagnosis"' not in page


def test_given_a_design_edit_in_the_admin_then_it_is_audited_with_the_fields(admin_client):
    from study.models import AuditEvent

    study = gaube_study(open_study=False)
    url = reverse("admin:study_study_change", args=[study.pk])
    data = {
        "title": "Renamed",
        "slug": study.slug,
        "status": study.status,
        "description": "",
        "consent_text": study.consent_text,
        "debrief_text": study.debrief_text,
        "cases_per_participant": "8",
        "inaccurate_per_participant": "2",
        "annotated_per_participant": "0",
        "order_policy": "random",
        "rating_scale_max": "7",
        "confidence_scale_max": "7",
        "block_multiplier": "1",
        "seed": str(study.seed),
        "stratify_by": "specialty",
        "stratum_map": '{"radiology": "radiology"}',
        "arms-TOTAL_FORMS": "2",
        "arms-INITIAL_FORMS": "2",
        "diagnoses-TOTAL_FORMS": "0",
        "diagnoses-INITIAL_FORMS": "0",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    for index, arm in enumerate(study.arms.order_by("code")):
        data.update(
            {
                f"arms-{index}-id": str(arm.pk),
                f"arms-{index}-study": str(study.pk),
                f"arms-{index}-code": arm.code,
                f"arms-{index}-advice_source": arm.advice_source,
                f"arms-{index}-label": arm.label + (" v2" if index == 0 else ""),
                f"arms-{index}-persona": arm.persona,
                f"arms-{index}-weight": "1",
            }
        )

    response = admin_client.post(url, data)

    assert response.status_code == 302
    study.refresh_from_db()
    assert study.title == "Renamed"
    edit = AuditEvent.objects.get(study=study, action="study.edit")
    assert {"title", "stratum_map"} <= set(edit.detail["fields"])
    arm_edit = AuditEvent.objects.get(study=study, action="arm.edit")
    assert arm_edit.detail["fields"] == ["label"]


def test_given_the_withdraw_action_then_participants_are_withdrawn_through_the_service(
    admin_client,
):
    from study.models import AuditEvent, Participant

    study = gaube_study()
    participant = enrolled_participant(study)
    admin_client.post(
        reverse("admin:study_participant_changelist"),
        {"action": "withdraw", "_selected_action": [participant.pk]},
    )
    participant.refresh_from_db()
    assert participant.status == Participant.Status.WITHDRAWN
    assert AuditEvent.objects.filter(
        action="participant.withdraw", actor__username="admin"
    ).exists()
