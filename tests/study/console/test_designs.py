"""The console's "New study from template" page and "Clone this study" (console/views/designs)."""

import re

import pytest
from django.urls import reverse

from study.core.design_templates import TEMPLATES
from study.models import Study, StudyMembership
from tests.factories import UserFactory, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db

NEW = reverse("console:study_from_template")


def test_the_home_page_links_to_the_template_page(owner_client):
    page = owner_client.get(reverse("console:home")).content.decode()
    assert f'href="{NEW}">New study from template</a>' in page


def test_the_template_page_lists_the_five_templates_with_their_parameters(owner_client):
    response = owner_client.get(NEW)
    assert response.status_code == 200
    page = response.content.decode()
    radios = re.findall(r'<input type="radio" name="template" value="([a-z0-9]+)"', page)
    assert radios == ["gaube2021", "gaube2023", "prinster2024", "dratsch2023", "reveal"]
    for template in TEMPLATES.values():
        assert f'id="template-{template.name}"' in page
        assert template.title in page
    assert "Radiology 2023;307:e222176" in page  # Dratsch's citation in its description
    dratsch = page[page.index('id="template-dratsch2023"') : page.index('id="template-reveal"')]
    assert '<th scope="row">Cases per participant</th><td>40</td>' in dratsch
    assert '<th scope="row">Inaccurate advice</th><td>12</td>' in dratsch


def test_creating_from_a_template_makes_the_draft_and_opens_its_design_page(owner_client, owner):
    response = owner_client.post(
        NEW, {"template": "prinster2024", "title": "Explanations", "slug": "explanations"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("console:design", args=["explanations"])
    study = Study.objects.get(slug="explanations")
    assert study.title == "Explanations"
    assert study.response_mode == "agree_disagree"
    assert sorted(study.arms.values_list("explanation", flat=True)) == ["global", "local"]
    assert study.memberships.get().user == owner
    page = owner_client.get(response["Location"]).content.decode()
    assert "Study created as a draft from the template" in page


def test_a_taken_slug_is_shown_at_the_slug_field_with_400(owner_client, owner):
    gaube_study(owner=owner, slug="taken")
    response = owner_client.post(NEW, {"template": "gaube2021", "title": "T", "slug": "taken"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_slug_error">“taken” is already used by another study.</p>' in page
    assert Study.objects.count() == 1


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        (
            {"template": "gaube2021", "title": "T", "slug": "Bad Slug"},
            "slug",
            "Use only lower-case",
        ),
        ({"template": "nope", "title": "T", "slug": "ok"}, "template", "Select a valid choice."),
        ({"title": "T", "slug": "ok"}, "template", "This field is required."),
        ({"template": "reveal", "title": "", "slug": "ok"}, "title", "This field is required."),
    ],
)
def test_bad_input_is_refused_at_its_field_with_400(owner_client, posted, field, message):
    response = owner_client.post(NEW, posted)
    assert response.status_code == 400
    page = response.content.decode()
    error = re.search(rf'id="id_{field}_error">([^<]*)<', page)
    assert error is not None
    assert error.group(1).startswith(message)
    assert not Study.objects.exists()


def test_an_account_without_the_add_permission_gets_403(client):
    client.force_login(UserFactory(username="plain"))
    assert client.get(NEW).status_code == 403
    response = client.post(NEW, {"template": "gaube2021", "title": "T", "slug": "t"})
    assert response.status_code == 403
    assert not Study.objects.exists()


# --- clone ----------------------------------------------------------------------------------------


def _clone_url(study):
    return reverse("console:study_clone", args=[study.slug])


def test_the_study_page_has_the_clone_form(owner_client, owner):
    study = gaube_study(owner=owner)
    page = owner_client.get(reverse("console:study", args=[study.slug])).content.decode()
    assert f'<form method="post" action="{_clone_url(study)}" class="card" id="clone-form">' in page
    assert f'value="{study.slug}-copy"' in page


def test_the_clone_button_makes_a_draft_copy_without_participants(owner_client, owner):
    study = gaube_study(owner=owner)
    enrolled_participant(study)
    response = owner_client.post(_clone_url(study), {"title": "Wave 2", "slug": "wave-2"})
    assert response.status_code == 302
    assert response["Location"] == reverse("console:design", args=["wave-2"])
    clone = Study.objects.get(slug="wave-2")
    assert (clone.title, clone.status) == ("Wave 2", "draft")
    assert clone.cases.count() == study.cases.count() == 8
    assert clone.participants.count() == 0
    assert study.participants.count() == 1


def test_a_collaborator_may_clone_and_owns_the_clone(client, owner):
    from django.contrib.auth.models import Permission

    study = gaube_study(owner=owner)
    collaborator = UserFactory(username="collab")
    collaborator.user_permissions.add(Permission.objects.get(codename="add_study"))
    StudyMembership.objects.create(study=study, user=collaborator, role="collaborator")
    client.force_login(collaborator)
    response = client.post(_clone_url(study), {"title": "Mine", "slug": "mine"})
    assert response.status_code == 302
    clone = Study.objects.get(slug="mine")
    assert list(clone.memberships.values_list("user__username", "role")) == [("collab", "owner")]


def test_a_viewer_is_refused_and_sees_no_clone_form(client, owner):
    from django.contrib.auth.models import Permission

    study = gaube_study(owner=owner)
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="add_study"))
    StudyMembership.objects.create(study=study, user=viewer, role="viewer")
    client.force_login(viewer)
    page = client.get(reverse("console:study", args=[study.slug])).content.decode()
    assert "clone-form" not in page
    assert client.get(_clone_url(study)).status_code == 403
    response = client.post(_clone_url(study), {"title": "Copy", "slug": "copy"})
    assert response.status_code == 403
    assert not Study.objects.filter(slug="copy").exists()


def test_a_stranger_gets_404(client, owner):
    study = gaube_study(owner=owner)
    client.force_login(UserFactory(username="stranger"))
    assert client.post(_clone_url(study), {"title": "C", "slug": "c"}).status_code == 404


def test_a_taken_slug_is_shown_on_the_clone_form_with_400(owner_client, owner):
    study = gaube_study(owner=owner)
    response = owner_client.post(_clone_url(study), {"title": "Copy", "slug": study.slug})
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_slug_error">“{study.slug}” is already used by another study.</p>' in page
    assert Study.objects.count() == 1


def test_a_bad_slug_is_shown_on_the_clone_form_with_400(owner_client, owner):
    study = gaube_study(owner=owner)
    response = owner_client.post(_clone_url(study), {"title": "Copy", "slug": "new"})
    assert response.status_code == 400
    assert "“new” is reserved by the console; choose another." in response.content.decode()
    assert Study.objects.count() == 1


def test_the_clone_page_offers_a_copy_title_and_slug(owner_client, owner):
    study = gaube_study(owner=owner, slug="wave-1")
    response = owner_client.get(_clone_url(study))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="wave-1-copy"' in page
    assert f'value="{study.title} (copy)"' in page
