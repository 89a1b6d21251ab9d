"""A study's team: who may see and change it (study.permissions reads the roles).

Rule: only an owner adds, re-roles and removes members, and a study never loses its last owner;
the owner alone decides whether viewers may export free-text answers. Every change is audited."""

from typing import Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction

from study import permissions
from study.models import Study, StudyMembership

from .audit import Actor, audit_record

# The codes of StudyMembership.Role (tests/test_typing.py keeps them equal).
MemberRole = Literal["owner", "collaborator", "viewer"]
LAST_OWNER = (
    "'{username}' is the study's last owner: make another member an owner first, "
    "so the study is never left without one."
)


class MembershipError(ValueError):
    """A team change that cannot be made; the message says why."""


def _owner_required(*, study: Study, actor: Actor, doing: str) -> None:
    if not permissions.study_allows(study=study, user=actor, action=permissions.MANAGE):
        raise PermissionDenied(f"Only an owner of the study can {doing}.")


def _role_checked(role: str) -> None:
    if role not in StudyMembership.Role.values:
        raise MembershipError(
            f"role must be one of {', '.join(StudyMembership.Role.values)}, got {role!r}"
        )


def _team_lock(study: Study) -> None:
    """Lock the study row before reading the team: two owners demoting each other at the same
    moment are serialised, so the second sees the first's change (the last-owner rule and the
    owner check hold under concurrency)."""
    Study.objects.select_for_update().filter(pk=study.pk).first()


def _member(*, study: Study, username: str) -> StudyMembership:
    membership = study.memberships.select_related("user").filter(user__username=username).first()
    if membership is None:
        raise MembershipError(f"'{username}' is not a member of this study.")
    return membership


def _is_last_owner(membership: StudyMembership) -> bool:
    return (
        membership.role == StudyMembership.Role.OWNER
        and not StudyMembership.objects.filter(
            study_id=membership.study_id, role=StudyMembership.Role.OWNER
        )
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_add(
    *, study: Study, actor: Actor, username: str, role: MemberRole
) -> StudyMembership:
    """Give an existing account a role in the study; only an owner may."""
    _owner_required(study=study, actor=actor, doing="add members")
    _role_checked(role)
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise MembershipError(f"No account with the username '{username}'.")
    existing = study.memberships.filter(user=user).first()
    if existing is not None:
        raise MembershipError(
            f"'{username}' is already a member of this study ({existing.get_role_display()})."
        )
    membership = StudyMembership.objects.create(study=study, user=user, role=role)
    audit_record(
        action="membership.add",
        study=study,
        actor=actor,
        detail={"username": username, "role": role},
    )
    return membership


@transaction.atomic
def membership_role_change(
    *, study: Study, actor: Actor, username: str, role: MemberRole
) -> StudyMembership:
    """Give a member another role; only an owner may, and never the last owner's."""
    _team_lock(study)
    _owner_required(study=study, actor=actor, doing="change members' roles")
    _role_checked(role)
    membership = _member(study=study, username=username)
    before = membership.role
    if before == role:
        raise MembershipError(f"'{username}' already has the role {membership.get_role_display()}.")
    if _is_last_owner(membership):
        raise MembershipError(LAST_OWNER.format(username=username))
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        action="membership.role_change",
        study=study,
        actor=actor,
        detail={"username": username, "from": before, "to": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, study: Study, actor: Actor, username: str) -> None:
    """Take a member off the study; only an owner may, and never the last owner."""
    _team_lock(study)
    _owner_required(study=study, actor=actor, doing="remove members")
    membership = _member(study=study, username=username)
    if _is_last_owner(membership):
        raise MembershipError(LAST_OWNER.format(username=username))
    role = membership.role
    membership.delete()
    audit_record(
        action="membership.remove",
        study=study,
        actor=actor,
        detail={"username": username, "role": role},
    )


@transaction.atomic
def study_free_text_export_set(*, study: Study, actor: Actor, allowed: bool) -> Study:
    """Whether viewers' exports include free-text answers (identifiable-risk data): the owner's
    decision (study.permissions.study_may_export_free_text reads it)."""
    _owner_required(study=study, actor=actor, doing="decide what viewers may export")
    study.viewers_may_export_free_text = allowed
    study.save(update_fields=["viewers_may_export_free_text"])
    audit_record(
        action="study.viewers_free_text",
        study=study,
        actor=actor,
        detail={"viewers_may_export_free_text": allowed},
    )
    return study
