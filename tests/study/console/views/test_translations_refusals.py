"""The Languages page (study.console.views.translations) refuses a POST naming neither of its
forms with a 400 that says so (it was a 500: a refusal put on an unbound form)."""

import pytest
from django.urls import reverse

from study.models import StudyMembership
from tests.factories import StudyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("data", [{}, {"form": "neither"}])
def test_a_post_naming_no_form_is_a_400_saying_choose_one(client, data):
    study = StudyFactory(slug="langs", language="en")
    owner = UserFactory(username="owner")
    StudyMembership.objects.create(study=study, user=owner, role="owner")
    client.force_login(owner)
    response = client.post(reverse("console:translations", args=[study.slug]), data)
    assert response.status_code == 400
    assert "Choose which form to save." in response.content.decode()
    study.refresh_from_db()
    assert study.language == "en"
