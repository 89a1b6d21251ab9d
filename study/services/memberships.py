"""A study's team: who may see and change it (study.permissions reads the roles).

Rule: only an owner adds members; each addition is audited."""

from typing import Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction

from study import permissions
from study.models import Study, StudyMembership

from .audit import Actor, audit_record

# The codes of StudyMembership.Role (tests/test_typing.py keeps them equal).
MemberRole = Literal["owner", "collaborator", "viewer"]


class MembershipError(ValueError):
    """A team change that cannot be made; the message says why."""


@transaction.atomic
def membership_add(
    *, study: Study, actor: Actor, username: str, role: MemberRole
) -> StudyMembership:
    """Give an existing account a role in the study; only an owner may."""
    if not permissions.study_allows(study=study, user=actor, action=permissions.MANAGE):
        raise PermissionDenied("Only an owner of the study can add members.")
    if role not in StudyMembership.Role.values:
        raise MembershipError(
            f"role must be one of {', '.join(StudyMembership.Role.values)}, got {role!r}"
        )
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
