"""study.services.memberships: owners add, re-role and remove members, never the last owner,
and decide what viewers may export; every change audited, every refusal a message."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connection

from study import services
from study.models import AuditEvent, StudyMembership
from study.services.memberships import MembershipError
from tests.factories import StudyFactory, UserFactory

pytestmark = pytest.mark.django_db


def _team(**roles):
    """A study with one account per username given, in the role given."""
    study = StudyFactory(slug="team-study")
    users = {}
    for username, role in roles.items():
        users[username] = UserFactory(username=username)
        StudyMembership.objects.create(study=study, user=users[username], role=role)
    return study, users


def _roles(study) -> dict[str, str]:
    return dict(study.memberships.values_list("user__username", "role"))


def _events(study, action: str) -> list[dict]:
    return list(
        AuditEvent.objects.filter(study=study, action=action)
        .order_by("id")
        .values_list("detail", flat=True)
    )


def test_an_owner_changes_a_members_role_and_it_is_audited():
    study, users = _team(alice="owner", bob="viewer")
    membership = services.membership_role_change(
        study=study, actor=users["alice"], username="bob", role="collaborator"
    )
    assert membership.role == "collaborator"
    assert _roles(study) == {"alice": "owner", "bob": "collaborator"}
    assert _events(study, "membership.role_change") == [
        {"username": "bob", "from": "viewer", "to": "collaborator"}
    ]
    event = AuditEvent.objects.get(study=study, action="membership.role_change")
    assert event.actor == users["alice"]


def test_an_owner_removes_a_member_and_it_is_audited():
    study, users = _team(alice="owner", bob="collaborator")
    services.membership_remove(study=study, actor=users["alice"], username="bob")
    assert _roles(study) == {"alice": "owner"}
    assert _events(study, "membership.remove") == [{"username": "bob", "role": "collaborator"}]


def test_the_last_owner_cannot_be_demoted_or_removed():
    study, users = _team(alice="owner", bob="collaborator")
    expected = (
        "'alice' is the study's last owner: make another member an owner first, "
        "so the study is never left without one."
    )
    with pytest.raises(MembershipError) as demoted:
        services.membership_role_change(
            study=study, actor=users["alice"], username="alice", role="viewer"
        )
    assert str(demoted.value) == expected
    with pytest.raises(MembershipError) as removed:
        services.membership_remove(study=study, actor=users["alice"], username="alice")
    assert str(removed.value) == expected
    assert _roles(study) == {"alice": "owner", "bob": "collaborator"}
    assert _events(study, "membership.role_change") == _events(study, "membership.remove") == []


def test_a_superuser_outside_the_team_cannot_remove_the_last_owner_either():
    study, _users = _team(alice="owner")
    root = UserFactory(username="root", is_superuser=True)
    with pytest.raises(MembershipError):
        services.membership_remove(study=study, actor=root, username="alice")
    assert _roles(study) == {"alice": "owner"}


def test_with_a_second_owner_an_owner_may_step_down_and_leave():
    study, users = _team(alice="owner", carol="owner")
    services.membership_role_change(
        study=study, actor=users["alice"], username="alice", role="viewer"
    )
    assert _roles(study) == {"alice": "viewer", "carol": "owner"}
    services.membership_remove(study=study, actor=users["carol"], username="alice")
    assert _roles(study) == {"carol": "owner"}


@pytest.mark.parametrize("role", ["collaborator", "viewer"])
def test_only_an_owner_changes_or_removes_members(role):
    study, users = _team(alice="owner", bob=role, dave="viewer")
    with pytest.raises(PermissionDenied) as changed:
        services.membership_role_change(
            study=study, actor=users["bob"], username="dave", role="owner"
        )
    assert str(changed.value) == "Only an owner of the study can change members' roles."
    with pytest.raises(PermissionDenied) as removed:
        services.membership_remove(study=study, actor=users["bob"], username="dave")
    assert str(removed.value) == "Only an owner of the study can remove members."
    assert _roles(study) == {"alice": "owner", "bob": role, "dave": "viewer"}


@pytest.mark.parametrize(
    ("username", "role", "message"),
    [
        ("nobody", "viewer", "'nobody' is not a member of this study."),
        ("bob", "viewer", "'bob' already has the role Viewer."),
        ("bob", "admin", "role must be one of owner, collaborator, viewer, got 'admin'"),
    ],
)
def test_a_role_change_that_cannot_be_made_says_why(username, role, message):
    study, users = _team(alice="owner", bob="viewer")
    UserFactory(username="nobody")
    with pytest.raises(MembershipError) as refused:
        services.membership_role_change(
            study=study, actor=users["alice"], username=username, role=role
        )
    assert str(refused.value) == message
    assert _roles(study) == {"alice": "owner", "bob": "viewer"}


def test_removing_an_account_of_another_study_is_refused():
    study, users = _team(alice="owner")
    other = StudyFactory(slug="other-study")
    StudyMembership.objects.create(study=other, user=UserFactory(username="erin"), role="viewer")
    with pytest.raises(MembershipError) as refused:
        services.membership_remove(study=study, actor=users["alice"], username="erin")
    assert str(refused.value) == "'erin' is not a member of this study."
    assert other.memberships.count() == 1


def test_the_owner_alone_sets_whether_viewers_export_free_text():
    study, users = _team(alice="owner", bob="collaborator")
    with pytest.raises(PermissionDenied) as refused:
        services.study_free_text_export_set(study=study, actor=users["bob"], allowed=True)
    assert str(refused.value) == "Only an owner of the study can decide what viewers may export."
    services.study_free_text_export_set(study=study, actor=users["alice"], allowed=True)
    study.refresh_from_db()
    assert study.viewers_may_export_free_text is True
    services.study_free_text_export_set(study=study, actor=users["alice"], allowed=False)
    study.refresh_from_db()
    assert study.viewers_may_export_free_text is False
    assert _events(study, "study.viewers_free_text") == [
        {"viewers_may_export_free_text": True},
        {"viewers_may_export_free_text": False},
    ]


@pytest.mark.django_db(transaction=True)
def test_two_owners_demoting_each_other_at_once_leave_one_owner():
    # Without the study row's lock both would see the other still an owner and both succeed.
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    study, users = _team(alice="owner", carol="owner")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(actor: str, target: str) -> None:
        try:
            barrier.wait()
            services.membership_role_change(
                study=study, actor=users[actor], username=target, role="viewer"
            )
            outcomes.append("changed")
        except (MembershipError, PermissionDenied):
            # the second to take the lock is no owner any more, or would leave none
            outcomes.append("refused")
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=demote, args=("alice", "carol")),
        threading.Thread(target=demote, args=("carol", "alice")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["changed", "refused"]
    assert sorted(_roles(study).values()) == ["owner", "viewer"]
