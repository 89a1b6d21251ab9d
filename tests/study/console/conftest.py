"""Console fixtures: an owner who may create studies, logged in."""

import pytest

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # These tests log in with force_login; a slow hasher would only cost time per account.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def owner():
    from django.contrib.auth.models import Permission

    user = UserFactory(username="owner")
    user.user_permissions.add(Permission.objects.get(codename="add_study"))
    return user


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client
