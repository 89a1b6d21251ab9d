"""study.permissions, the one home of per-study roles: the role x action matrix, and the console
pages that ask it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from study import permissions
from study.models import StudyMembership
from tests.factories import StudyFactory, UserFactory

pytestmark = pytest.mark.django_db

READ, WRITE, MANAGE = permissions.READ, permissions.WRITE, permissions.MANAGE
# who -> the actions allowed
MATRIX = {
    "anonymous": set(),
    "stranger": set(),
    "viewer": {READ},
    "collaborator": {READ, WRITE},
    "owner": {READ, WRITE, MANAGE},
    "superuser": {READ, WRITE, MANAGE},
}


def _user(who: str, study):
    if who == "anonymous":
        return AnonymousUser()
    user = UserFactory(username=who, is_superuser=who == "superuser")
    if who in ("viewer", "collaborator", "owner"):
        StudyMembership.objects.create(study=study, user=user, role=who)
    return user


@pytest.mark.parametrize("who", list(MATRIX))
@pytest.mark.parametrize("action", [READ, WRITE, MANAGE])
def test_each_role_may_do_exactly_its_actions(who, action):
    study = StudyFactory()
    user = _user(who, study)
    assert permissions.study_allows(study=study, user=user, action=action) is (
        action in MATRIX[who]
    )


@pytest.mark.parametrize(
    ("who", "role"),
    [
        ("anonymous", None),
        ("stranger", None),
        ("viewer", "viewer"),
        ("collaborator", "collaborator"),
        ("owner", "owner"),
        ("superuser", "owner"),
    ],
)
def test_study_role_names_the_membership(who, role):
    study = StudyFactory()
    assert permissions.study_role(study=study, user=_user(who, study)) == role


def test_no_access_is_a_404_and_a_visible_study_refuses_with_a_403_naming_the_role():
    study = StudyFactory(slug="trust-1")
    with pytest.raises(Http404) as missing:
        permissions.study_require(study=study, user=_user("stranger", study), action=READ)
    assert str(missing.value) == "No such study for this account."
    with pytest.raises(PermissionDenied) as refused:
        permissions.study_require(study=study, user=_user("viewer", study), action=WRITE)
    assert str(refused.value) == "Your role in study 'trust-1' (viewer) does not allow this."
    assert permissions.study_require(study=study, user=_user("owner", study), action=MANAGE) == (
        "owner"
    )


def test_studies_visible_lists_exactly_the_member_studies():
    mine, theirs, shared = StudyFactory(), StudyFactory(), StudyFactory()
    user = UserFactory(username="member")
    StudyMembership.objects.create(study=mine, user=user, role="owner")
    StudyMembership.objects.create(study=shared, user=user, role="viewer")
    StudyMembership.objects.create(study=theirs, user=UserFactory(username="other"), role="owner")
    assert set(permissions.studies_visible(user=user)) == {mine, shared}
    assert list(permissions.studies_visible(user=AnonymousUser())) == []
    superuser = UserFactory(username="root", is_superuser=True)
    assert set(permissions.studies_visible(user=superuser)) == {mine, theirs, shared}


@pytest.mark.parametrize(
    ("who", "page", "write"),
    [
        ("viewer", 200, 403),
        ("collaborator", 200, 200),
        ("stranger", 404, 404),
    ],
)
def test_console_pages_answer_by_role(client, who, page, write):
    study = StudyFactory()
    client.force_login(_user(who, study))
    assert client.get(reverse("console:study", args=[study.slug])).status_code == page
    invited = client.post(reverse("console:invitations", args=[study.slug]), {"count": "2"})
    assert invited.status_code == write
    assert study.participants.count() == (2 if write == 200 else 0)


def test_anonymous_console_requests_go_to_the_login_page(client):
    study = StudyFactory()
    response = client.get(reverse("console:study", args=[study.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:login"))


def test_a_collaborator_cannot_add_members(client):
    study = StudyFactory()
    client.force_login(_user("collaborator", study))
    UserFactory(username="newcomer")
    response = client.post(
        reverse("console:membership_add", args=[study.slug]),
        {"username": "newcomer", "role": "viewer"},
    )
    assert response.status_code == 403
    assert not study.memberships.filter(user__username="newcomer").exists()
