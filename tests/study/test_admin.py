"""The admin is a read-only back office: designs and data change only through the services."""

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


@pytest.mark.parametrize(
    "model",
    [
        "study",
        "arm",
        "diagnosisoption",
        "case",
        "advice",
        "participant",
        "trial",
        "response",
        "auditevent",
        "stratumcounter",
        "studymembership",
    ],
)
def test_no_design_or_data_model_can_be_added_changed_or_deleted_in_the_admin(model):
    # given a superuser; then the admin refuses every write on every design and data model
    from django.apps import apps
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = UserFactory(username="root", is_superuser=True, is_staff=True)
    model_class = apps.get_model("study", model)
    model_admin = admin.site._registry.get(model_class)
    inline_of = {"arm", "diagnosisoption", "advice", "studymembership"}
    if model_admin is None:  # shown only as an inline of its study or case
        assert model in inline_of
        return
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_delete_permission(request) is False
    assert model_admin.has_view_permission(request) is True


def test_given_a_draft_study_then_the_admin_shows_it_without_form_fields(admin_client):
    study = gaube_study(open_study=False)
    page = admin_client.get(reverse("admin:study_study_change", args=[study.pk])).content.decode()
    assert study.title in page
    assert 'name="cases_per_participant"' not in page
    assert 'name="arms-0-label"' not in page


def test_given_a_post_to_the_change_form_then_nothing_changes(admin_client):
    study = gaube_study(open_study=False)
    response = admin_client.post(
        reverse("admin:study_study_change", args=[study.pk]),
        {"title": "Hijacked", "slug": study.slug, "cases_per_participant": "3"},
    )
    assert response.status_code == 403
    study.refresh_from_db()
    assert (study.title, study.cases_per_participant) != ("Hijacked", 3)
    assert study.cases_per_participant == 8


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
        action="participant.withdrawn", actor__username="admin"
    ).exists()


def test_given_an_account_then_the_admin_offers_no_delete(admin_client, django_user_model):
    user = django_user_model.objects.create_user(username="someone")
    delete = admin_client.get(f"/admin/auth/user/{user.pk}/delete/")
    assert delete.status_code == 403
    assert django_user_model.objects.filter(pk=user.pk).exists()
