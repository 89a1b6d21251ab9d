"""axe-core on every page of the researcher console (issue 11, point 6): every GET page of
study/console/urls.py (the builder's, the case and example libraries, allocation, participants,
audit, the report), the sign-in and locked-out pages, forms sent with errors, and the preview of
each participant step. Pages that answer only POST (open, close, delete, toggle, withdraw) and
the CSV, zip and image downloads have no page to check. One browser context per group, one axe
run per page; see test_axe_e2e.py for the participant pages."""

import io
from collections.abc import Callable

import numpy as np
import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Page, expect

from study import services
from study.services.designs import study_from_template
from study.services.imports import cases_import
from study.services.synthetic import study_simulate
from tests.e2e.axe import explanation_study, page_at, visits_audit
from tests.e2e.console_cases import HEADER, draft_study, log_in, row, zip_of
from tests.factories import UserFactory, gaube_study
from tests.study.dicom_factory import synthetic_chest_dicom

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every sign-in hashes a password; the slow production hasher only costs time here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _open(url: str, status: int = 200, *, shows: str = "h1", timeout_ms: float | None = None):
    return page_at(url, status=status, shows=shows, timeout_ms=timeout_ms)


def _then_send(reach: Callable[[Page], None], button: str) -> Callable[[Page], None]:
    """The page, then its form sent as it is (nothing filled in): refused, with the reasons."""

    def send(page: Page) -> None:
        reach(page)
        with page.expect_navigation():
            page.get_by_role("button", name=button, exact=True).click()
        expect(page.locator(".error, .error-summary").first).to_be_visible()

    return send


def test_given_the_sign_in_pages_then_axe_finds_no_serious_violation(page, live_server):
    UserFactory(username="owner")
    UserFactory(username="dr-lock")
    login = f"{live_server.url}/console/login/"

    def wrong_password(username: str, times: int) -> Callable[[Page], None]:
        def reach(page: Page) -> None:
            page.goto(login)
            for _ in range(times):
                page.get_by_label("Username").fill(username)
                page.get_by_label("Password").fill("not the password")
                with page.expect_navigation():
                    page.get_by_role("button", name="Log in").click()
            expect(page.locator("h1")).to_be_visible()

        return reach

    def locked_out(page: Page) -> None:
        wrong_password("dr-lock", 5)(page)
        expect(page.locator("h1")).to_have_text("Sign-in paused")

    found = visits_audit(
        page,
        [
            ("log in", _open(login)),
            ("log in with a wrong password", wrong_password("owner", 1)),
            ("locked out", locked_out),
        ],
    )

    assert found == [], "\n".join(found)
    expect(page.locator("h1")).to_have_text("Sign-in paused")


def _library_draft(owner):
    """A draft study with the demo's arms and diagnoses and two imported cases, one of them
    waiting for the burned-in-text review."""
    study = draft_study(owner)
    archive = zip_of(
        {
            "manifest.csv": (HEADER + row("B1", "review.dcm") + row("B2", "good.dcm")).encode(),
            "review.dcm": synthetic_chest_dicom(seed=5, burned_in=None),
            "good.dcm": synthetic_chest_dicom(seed=6, burned_in="NO"),
        }
    )
    cases_import(study=study, archive=io.BytesIO(archive))
    return study


def test_given_a_draft_study_then_axe_finds_no_serious_violation_on_the_builder_pages(
    page, live_server
):
    owner = UserFactory(username="owner")
    owner.user_permissions.add(Permission.objects.get(codename="add_study"))
    study = _library_draft(owner)
    empty = study_from_template(
        template="gaube2021", title="From a template", slug="from-template", owner=owner
    )
    log_in(page, live_server.url, "owner")
    console = f"{live_server.url}/console"
    base = f"{console}/studies/{study.slug}"
    preview = f"{live_server.url}/preview/{study.slug}/"
    arm_add = _open(f"{base}/design/arms/add/")

    found = visits_audit(
        page,
        [
            ("home", _open(f"{console}/")),
            ("new study", _open(f"{console}/studies/new/")),
            ("new study with errors", _then_send(_open(f"{console}/studies/new/"), "Create study")),
            ("study from a template", _open(f"{console}/studies/new/template/")),
            (
                "study from a template with errors",
                _then_send(_open(f"{console}/studies/new/template/"), "Create study from template"),
            ),
            ("draft study", _open(f"{base}/")),
            ("design", _open(f"{base}/design/")),
            ("add an arm", arm_add),
            ("add an arm with errors", _then_send(arm_add, "Save arm")),
            ("edit an arm", _open(f"{base}/design/arms/ai/edit/")),
            ("add a diagnosis", _open(f"{base}/design/diagnoses/add/")),
            ("edit a diagnosis", _open(f"{base}/design/diagnoses/pneumonia/edit/")),
            ("screening and questionnaire", _open(f"{base}/design/instruments/")),
            ("example library, empty", _open(f"{base}/design/examples/")),
            ("case library", _open(f"{base}/cases/", shows="table")),
            ("clone", _open(f"{base}/clone/")),
            ("allocation table, design not complete", _open(f"{base}/allocation/", 409)),
            ("participants, none yet", _open(f"{base}/participants/")),
            ("audit log", _open(f"{base}/audit/", shows="table")),
            ("preview without cases", _open(f"{live_server.url}/preview/{empty.slug}/", 404)),
            *[(f"preview {step}", _open(f"{preview}?page={step}")) for step in PREVIEW_STEPS],
            ("preview trial, annotated", _open(f"{preview}?page=trial&annotated=1")),
        ],
    )

    assert found == [], "\n".join(found)


PREVIEW_STEPS = ("consent", "screening", "trial", "questionnaire", "debrief")


def test_given_an_open_study_with_data_then_axe_finds_no_serious_violation(
    page, live_server, with_images
):
    owner = UserFactory(username="owner")
    study = with_images(explanation_study(owner=owner, pilot_mode=True))
    study_simulate(study=study, participants=12, rng=np.random.default_rng(9))
    # The report is fitted by a job (in process here: no broker), then served from its cache.
    report = services.job_start(
        study=study, kind="report", actor=owner, params={"include_synthetic": True}
    )
    power = services.job_start(study=study, kind="power", params={"n": "4", "sims": 1})
    study = services.self_enrolment_enable(study=study)
    reveal = gaube_study(owner=owner, read_then_reveal=True)
    log_in(page, live_server.url, "owner")
    base = f"{live_server.url}/console/studies/{study.slug}"
    preview = f"{live_server.url}/preview/{study.slug}/"
    reveal_preview = f"{live_server.url}/preview/{reveal.slug}/?page=trial"

    found = visits_audit(
        page,
        [
            ("open study", _open(f"{base}/")),
            ("design, locked", _open(f"{base}/design/")),
            ("screening and questionnaire, locked", _open(f"{base}/design/instruments/")),
            ("example library", _open(f"{base}/design/examples/", shows="img")),
            ("case library, frozen", _open(f"{base}/cases/", shows="table")),
            ("participants", _open(f"{base}/participants/", shows="table")),
            ("allocation table", _open(f"{base}/allocation/", shows="table")),
            ("audit log", _open(f"{base}/audit/", shows="table")),
            ("analysis report", _open(f"{base}/report/")),
            ("background jobs", _open(f"{base}/jobs/", shows="table")),
            ("report job", _open(f"{base}/jobs/{report.public_id}/")),
            ("power job", _open(f"{base}/jobs/{power.public_id}/", shows="table")),
            ("preview trial, local arm", _open(f"{preview}?page=trial&arm=ai&annotated=1")),
            ("preview trial, global arm", _open(f"{preview}?page=trial&arm=human")),
            ("preview trial, before the reveal", _open(reveal_preview)),
            ("preview trial, after the reveal", _open(f"{reveal_preview}&revealed=1")),
        ],
    )

    assert found == [], "\n".join(found)
