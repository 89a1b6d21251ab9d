"""Every console, admin and preview page works in a real browser under the strict
Content-Security-Policy: the e2e fixtures fail a test on anything the policy blocked (script,
style, image, form target), so this walk covers the pages no other browser test opens."""

import numpy as np
import pytest
from playwright.sync_api import expect

from study.demo.build import demo_study_create
from study.services.jobs import job_start
from study.services.synthetic import study_simulate
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # UserFactory's


def test_given_the_console_in_a_browser_then_every_page_loads_with_nothing_blocked(
    page, live_server
):
    owner = UserFactory(username="pi-csp", is_staff=True, is_superuser=True)
    study = demo_study_create(owner=owner)
    study_simulate(study=study, participants=40, rng=np.random.default_rng(9))
    # a demo's report includes its simulated participants (the console asks for them)
    report = job_start(study=study, kind="report", actor=owner, params={"include_synthetic": True})
    page.goto(f"{live_server.url}/console/login/")
    page.get_by_label("Username").fill("pi-csp")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/console/")

    base = f"{live_server.url}/console/studies/{study.slug}"
    pages = [
        f"{base}/",
        f"{base}/design/",
        f"{base}/allocation/",
        f"{base}/audit/",
        f"{base}/participants/",
        f"{base}/cases/",
        f"{base}/report/",
        f"{base}/jobs/",
        f"{base}/jobs/{report.public_id}/",
        f"{live_server.url}/preview/{study.slug}/",
        f"{live_server.url}/preview/{study.slug}/?page=trial",
        f"{live_server.url}/admin/",
        f"{live_server.url}/admin/study/study/",
        f"{live_server.url}/admin/study/study/{study.pk}/change/",
    ]
    for url in pages:
        response = page.goto(url)
        assert response is not None
        assert response.status == 200, url
        assert (
            "unsafe-inline"
            not in response.headers["content-security-policy"].split("script-src")[1].split(";")[0]
        ), url
    # the report's figures are inline SVG: drawn, not blocked (its page allows inline styles)
    page.goto(f"{base}/report/")
    expect(page.locator("svg[role=img]").first).to_be_visible()
