"""manage.py api_token: prints a new token that the API accepts; --revoke-all revokes the
account's earlier tokens first; an unknown account is a CommandError."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory, gaube_study

pytestmark = pytest.mark.django_db


def _token(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("api_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


def _studies(token: str) -> int:
    return Client().get(reverse("api:studies"), HTTP_AUTHORIZATION=f"Token {token}").status_code


def test_given_a_user_then_the_printed_token_opens_the_api():
    owner = UserFactory(username="pi")
    study = gaube_study(owner=owner)

    token, _ = _token("--user", "pi")

    response = Client().get(reverse("api:studies"), HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert [s["slug"] for s in response.json()["results"]] == [study.slug]


def test_given_revoke_all_then_the_earlier_tokens_are_refused_and_the_new_one_works():
    UserFactory(username="pi")
    first, _ = _token("--user", "pi")
    second, _ = _token("--user", "pi")

    third, said = _token("--user", "pi", "--revoke-all")

    assert said == "Revoked 2 tokens of 'pi'."
    assert (_studies(first), _studies(second), _studies(third)) == (401, 401, 200)


def test_given_an_unknown_user_then_a_command_error():
    with pytest.raises(CommandError) as refusal:
        _token("--user", "nobody")

    assert str(refusal.value) == "No account with username 'nobody'."
