"""Production settings: `check --deploy` passes with the README's production variables, TLS
behind a proxy gives https links, and every response carries the strict CSP."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import gaube_study

ROOT = Path(__file__).resolve().parents[2]
# The README's "Production" variables, minimum set (issue 9's "Done when").
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k9#Vq2!xR7@pL4$wT8&zN1*sF6^hJ3(mB5)cY0-dG2+eK7=uA4",
    "ALLOWED_HOSTS": "trustlab.example.org",
    "SECURE_COOKIES": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_SSL_REDIRECT": "1",
}


# Variables of the test run that a deployment never has (the e2e fixtures allow the ORM in
# Playwright's event loop; check --deploy rightly refuses that).
NOT_DEPLOYED = ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")


def _manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in NOT_DEPLOYED}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_given_the_production_variables_then_check_deploy_passes_at_warning_level():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_given_no_hsts_nor_ssl_redirect_then_check_deploy_names_both():
    environment = {
        k: v
        for k, v in PRODUCTION.items()
        if k not in ("SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT")
    }
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **environment)
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout
    assert "security.W008" in result.stderr + result.stdout


@pytest.mark.django_db
@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_given_a_tls_proxy_then_invitation_links_are_https(owner_client_for_study):
    client, study = owner_client_for_study

    response = client.post(
        reverse("console:invitations", args=[study.slug]),
        {"count": "2"},
        HTTP_X_FORWARDED_PROTO="https",
    )

    assert response.status_code == 200
    links = [line for line in response.content.decode().splitlines() if "/p/" in line]
    assert links
    assert all(line.split(",")[-1].startswith("https://") for line in links), links


@pytest.fixture
def owner_client_for_study(client):
    from study.models import StudyMembership
    from tests.factories import UserFactory

    owner = UserFactory(username="pi")
    study = gaube_study()
    StudyMembership.objects.create(study=study, user=owner, role=StudyMembership.Role.OWNER)
    client.force_login(owner)
    return client, study


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/console/login/", "/p/unknown/", "/admin/login/"])
def test_given_any_page_then_the_strict_policy_is_sent(client, url):
    response = client.get(url)
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]


def test_given_the_proxy_variable_then_the_forwarded_proto_header_is_trusted():
    probe = "import config.settings as s; print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    environment = {k: v for k, v in os.environ.items() if k not in NOT_DEPLOYED}
    base = {**environment, **PRODUCTION}
    with_proxy = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**base, "SECURE_PROXY_SSL_HEADER": "1"},
        capture_output=True,
        text=True,
    )
    without = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=base, capture_output=True, text=True
    )
    assert with_proxy.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert without.stdout.strip() == "None"
