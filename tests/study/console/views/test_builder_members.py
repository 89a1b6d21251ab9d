"""The design page's team section (study.console.views.builder): owners change roles, remove
members and set viewers' free-text exports; refusals are a 400 page naming what is wrong."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from study.models import AuditEvent, StudyMembership
from tests.factories import StudyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    study = StudyFactory(slug="team")
    users = {}
    for username, role in (("alice", "owner"), ("bob", "collaborator"), ("vera", "viewer")):
        users[username] = UserFactory(username=username)
        StudyMembership.objects.create(study=study, user=users[username], role=role)
    return study, users


def _roles(study) -> dict[str, str]:
    return dict(study.memberships.values_list("user__username", "role"))


def _post(client, name, study, data):
    return client.post(reverse(f"console:{name}", args=[study.slug]), data)


def _said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_owner_sees_a_role_form_and_a_remove_button_per_member(client, team):
    study, users = team
    client.force_login(users["alice"])
    page = client.get(reverse("console:design", args=[study.slug])).content.decode()
    assert page.count('action="/console/studies/team/design/members/role/"') == 3
    assert page.count('action="/console/studies/team/design/members/remove/"') == 3
    # by role, then account: bob (collaborator), alice (owner), vera (viewer)
    assert '<label for="role-2">Role<span class="visually-hidden"> of alice</span></label>' in page
    assert '<option value="viewer" selected>Viewer</option>' in page
    assert 'name="allowed" value="on" id="free-text-allowed"' in page


@pytest.mark.parametrize("who", ["bob", "vera"])
def test_others_see_the_team_without_its_forms(client, team, who):
    study, users = team
    client.force_login(users[who])
    page = client.get(reverse("console:design", args=[study.slug])).content.decode()
    assert "members/role/" not in page
    assert "members/remove/" not in page
    assert "free-text-export/" not in page
    assert "Viewers' exports leave out free-text answers; only an owner can allow them." in page


def test_the_owner_changes_a_role(client, team):
    study, users = team
    client.force_login(users["alice"])
    response = _post(client, "membership_role", study, {"username": "vera", "role": "owner"})
    assert (response.status_code, response["Location"]) == (302, "/console/studies/team/design/")
    assert _said(response) == ["vera is now owner."]
    assert _roles(study)["vera"] == "owner"


def test_the_owner_removes_a_member(client, team):
    study, users = team
    client.force_login(users["alice"])
    response = _post(client, "membership_remove", study, {"username": "bob"})
    assert response.status_code == 302
    assert _said(response) == ["bob removed from the study."]
    assert _roles(study) == {"alice": "owner", "vera": "viewer"}
    assert AuditEvent.objects.get(action="membership.remove").detail == {
        "username": "bob",
        "role": "collaborator",
    }


def test_an_owner_who_leaves_goes_to_the_console_home(client, team):
    study, users = team
    _post_as_owner = {"username": "vera", "role": "owner"}
    client.force_login(users["alice"])
    _post(client, "membership_role", study, _post_as_owner)
    response = _post(client, "membership_remove", study, {"username": "alice"})
    assert (response.status_code, response["Location"]) == (302, "/console/")
    assert "alice" not in _roles(study)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "membership_remove",
            {"username": "alice"},
            "Member not removed: 'alice' is the study's last owner: make another member an "
            "owner first, so the study is never left without one.",
        ),
        (
            "membership_role",
            {"username": "alice", "role": "viewer"},
            "Role not changed: 'alice' is the study's last owner: make another member an "
            "owner first, so the study is never left without one.",
        ),
        (
            "membership_role",
            {"username": "nobody", "role": "viewer"},
            "Role not changed: 'nobody' is not a member of this study.",
        ),
        (
            "membership_role",
            {"username": "vera", "role": "admin"},
            "Role not changed: Role: Select a valid choice. admin is not one of the available "
            "choices.",
        ),
        (
            "membership_role",
            {},
            "Role not changed: Member: This field is required.; Role: This field is required.",
        ),
        ("membership_remove", {}, "Member not removed: Member: This field is required."),
    ],
)
def test_a_refused_team_change_is_a_400_page_saying_why(client, team, name, data, message):
    study, users = team
    client.force_login(users["alice"])
    response = _post(client, name, study, data)
    assert response.status_code == 400
    assert _said(response) == [message]
    assert _roles(study) == {"alice": "owner", "bob": "collaborator", "vera": "viewer"}


@pytest.mark.parametrize("who", ["bob", "vera"])
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("membership_role", {"username": "vera", "role": "owner"}),
        ("membership_remove", {"username": "vera"}),
        ("free_text_export", {"allowed": "on"}),
    ],
)
def test_only_an_owner_may_change_the_team(client, team, who, name, data):
    study, users = team
    client.force_login(users[who])
    assert _post(client, name, study, data).status_code == 403
    study.refresh_from_db()
    assert _roles(study) == {"alice": "owner", "bob": "collaborator", "vera": "viewer"}
    assert study.viewers_may_export_free_text is False


def test_the_owner_switches_viewers_free_text_on_and_off(client, team):
    study, users = team
    client.force_login(users["alice"])
    on = _post(client, "free_text_export", study, {"allowed": "on"})
    study.refresh_from_db()
    assert (on.status_code, study.viewers_may_export_free_text) == (302, True)
    assert _said(on) == ["Viewers' exports now include free-text answers."]
    client.get(reverse("console:design", args=[study.slug]))  # shows, and so uses, the message
    off = _post(client, "free_text_export", study, {})
    study.refresh_from_db()
    assert (off.status_code, study.viewers_may_export_free_text) == (302, False)
    assert _said(off) == ["Viewers' exports now leave out free-text answers."]
    assert [
        event.detail
        for event in AuditEvent.objects.filter(action="study.viewers_free_text").order_by("id")
    ] == [
        {"viewers_may_export_free_text": True},
        {"viewers_may_export_free_text": False},
    ]


def test_a_get_of_a_team_change_is_not_allowed(client, team):
    study, users = team
    client.force_login(users["alice"])
    response = client.get(reverse("console:membership_remove", args=[study.slug]))
    assert response.status_code == 405
