"""Researcher accounts: the demo's researcher and any account a script sets up."""

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Permission
from django.db import transaction


@transaction.atomic
def researcher_ensure(
    *, username: str, password: str, can_create_studies: bool = True
) -> tuple[AbstractBaseUser, bool]:
    """The account named ``username``, created with ``password`` if it does not exist yet (an
    existing account keeps its password); True as second value when it was created."""
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_password(password)
        user.is_staff = True
        user.save()
        if can_create_studies:
            user.user_permissions.add(Permission.objects.get(codename="add_study"))
    return user, created
