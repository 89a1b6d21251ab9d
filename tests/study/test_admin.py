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
