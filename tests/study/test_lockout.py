"""Console and admin sign-in throttling (django-axes): repeated wrong passwords lock the
username out from that address, the right password then does not get in, and the lockout is
an audit event."""

import pytest
from django.test import override_settings
from django.urls import reverse

from study.models import AuditEvent
from tests.factories import UserFactory

PASSWORD = "correct horse battery"  # UserFactory's
pytestmark = pytest.mark.django_db


def _login(client, url, password, address="198.51.100.4", username="dr-lock"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.parametrize("url_name", ["console:login", "admin:login"])
def test_given_fifty_wrong_passwords_when_the_right_one_follows_then_it_is_refused(
    client, url_name
):
    UserFactory(username="dr-lock", is_staff=True)
    url = reverse(url_name)

    statuses = [_login(client, url, f"guess-{n}").status_code for n in range(50)]
    right = _login(client, url, PASSWORD)

    assert statuses[:4] == [200] * 4  # the form again, with its error
    assert set(statuses[4:]) == {429}  # the fifth failure locks the pair out
    assert right.status_code == 429
    assert "Sign-in paused" in right.content.decode()
    assert "_auth_user_id" not in client.session
    # every attempt is in the audit log, the refused ones too; the lockout is one event
    assert AuditEvent.objects.filter(action="console.login_failed").count() == 51
    (locked,) = AuditEvent.objects.filter(action="console.login_locked_out")
    assert locked.detail == {"username": "dr-lock", "ip": "198.51.100.4"}


def test_given_a_locked_out_username_when_another_address_signs_in_then_it_gets_in(client):
    UserFactory(username="dr-lock")
    url = reverse("console:login")
    for n in range(5):
        _login(client, url, f"guess-{n}")

    # lockout is per username and address: an attacker cannot lock the researcher out everywhere
    response = _login(client, url, PASSWORD, address="203.0.113.9")

    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_given_four_wrong_passwords_when_the_right_one_follows_then_it_gets_in(client):
    UserFactory(username="dr-lock")
    url = reverse("console:login")
    for n in range(4):
        assert _login(client, url, f"typo-{n}").status_code == 200

    assert _login(client, url, PASSWORD).status_code == 302
    assert not AuditEvent.objects.filter(action="console.login_locked_out").exists()


@override_settings(PROXY_COUNT=1)
def test_given_a_proxy_then_the_lockout_and_the_audit_use_the_forwarded_address(client):
    UserFactory(username="dr-lock")
    url = reverse("console:login")
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for n in range(5):
        client.post(
            url,
            {"username": "dr-lock", "password": f"guess-{n}"},
            HTTP_X_FORWARDED_FOR="198.51.100.4",
            **proxy,
        )

    # the colleague behind the same proxy, from another address, still gets in
    colleague = client.post(
        url,
        {"username": "dr-lock", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        **proxy,
    )

    assert colleague.status_code == 302
    failed = AuditEvent.objects.filter(action="console.login_failed").first()
    assert failed.detail["ip"] == "198.51.100.4"
    (locked,) = AuditEvent.objects.filter(action="console.login_locked_out")
    assert locked.detail == {"username": "dr-lock", "ip": "198.51.100.4"}
