"""The console's case library in a real browser: the accessibility basics, unusable uploads refused
with the reason and nothing stored, the library frozen once recruiting, and review buttons that
name their case."""

import io
import re

import pytest
from playwright.sync_api import expect

from study import services
from study.services.imports import cases_import
from tests.e2e.console_cases import (
    HEADER,
    VIEWPORTS,
    a11y_problems,
    draft_study,
    log_in,
    row,
    zip_of,
)
from tests.factories import UserFactory
from tests.study.dicom_factory import synthetic_chest_dicom

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
@pytest.mark.parametrize("page_name", ["study", "cases"])
def test_given_a_case_library_then_the_console_page_meets_the_accessibility_basics(
    new_context, live_server, viewport, page_name
):
    owner = UserFactory(username="owner")
    study = draft_study(owner)
    archive = zip_of(
        {
            "manifest.csv": (HEADER + row("B1", "review.dcm") + row("B2", "good.dcm")).encode(),
            "review.dcm": synthetic_chest_dicom(seed=5, burned_in=None),
            "good.dcm": synthetic_chest_dicom(seed=6, burned_in="NO"),
        }
    )
    report = cases_import(study=study, archive=io.BytesIO(archive))
    assert [o.status for o in report.outcomes] == ["needs_review", "imported"]
    page = new_context(viewport=viewport).new_page()
    log_in(page, live_server.url, "owner")

    suffix = "cases/" if page_name == "cases" else ""
    page.goto(f"{live_server.url}/console/studies/{study.slug}/{suffix}")

    expect(page.locator("table").first).to_be_visible()
    assert a11y_problems(page) == []


def test_given_a_page_breaking_each_rule_then_the_checker_names_every_problem(page):
    page.set_viewport_size(VIEWPORTS["tablet-portrait-768x1024"])
    page.set_content(
        "<html><body><h1>One</h1><h1>Two</h1>"
        '<input id="q" name="q"><button></button><progress></progress>'
        "<table><tr><th>Head</th></tr><tr><td>1</td></tr></table>"
        '<div style="width: 2000px">wide</div></body></html>'
    )

    assert a11y_problems(page) == [
        "html has no lang",
        "2 h1 elements",
        "input#q[name=q] unlabelled",
        "button#?[name=?] unlabelled",
        "progress#?[name=?] unlabelled",
        "table 0 has no caption",
        'table 0: th "Head" has no scope',
        "page scrolls sideways: 2008 > 768",
    ]


@pytest.mark.parametrize(
    ("files", "alert"),
    [
        (
            None,
            ["notes.zip: the upload is not a zip archive (File is not a zip file)"],
        ),
        (
            {"manifest.csv": (HEADER + row("C1", "missing.dcm")).encode()},
            [
                "The manifest has 1 problem; nothing was imported.",
                "row 1, column 'image': 'missing.dcm' is not in the archive",
            ],
        ),
    ],
    ids=["not-a-zip", "manifest-problem"],
)
def test_given_an_unusable_upload_when_imported_then_the_page_says_why_and_nothing_is_stored(
    page, live_server, files, alert
):
    owner = UserFactory(username="owner")
    study = draft_study(owner)
    log_in(page, live_server.url, "owner")
    page.goto(f"{live_server.url}/console/studies/{study.slug}/cases/")

    page.get_by_label("Zip archive with DICOM files").set_input_files(
        {
            "name": "notes.zip",
            "mimeType": "application/zip",
            "buffer": b"plain notes" if files is None else zip_of(files),
        }
    )
    page.get_by_role("button", name="Import").click()

    problems = page.get_by_role("alert")
    expect(problems).to_be_visible()
    assert problems.locator("p, li").all_inner_texts() == alert
    assert not study.cases.exists()
    expect(page.get_by_role("button", name="Import")).to_be_enabled()


def test_given_a_recruiting_study_then_the_case_library_is_frozen_for_uploads(page, live_server):
    owner = UserFactory(username="owner")
    study = draft_study(owner)
    cases_import(
        study=study,
        archive=io.BytesIO(
            zip_of(
                {
                    "manifest.csv": (
                        HEADER + "".join(row(f"G{i}", f"g{i}.dcm") for i in (1, 2, 3))
                    ).encode(),
                    **{f"g{i}.dcm": synthetic_chest_dicom(seed=10 + i) for i in (1, 2, 3)},
                }
            )
        ),
    )
    study = services.study_open(study=study)
    log_in(page, live_server.url, "owner")

    page.goto(f"{live_server.url}/console/studies/{study.slug}/cases/")

    # A case added now could reach participants without its burned-in review: no upload at all.
    expect(page.get_by_text("the case library is frozen")).to_be_visible()
    expect(page.get_by_label("Zip archive with DICOM files")).to_have_count(0)
    late = zip_of(
        {
            "manifest.csv": (HEADER + row("R1", "review.dcm")).encode(),
            "review.dcm": synthetic_chest_dicom(seed=20, burned_in=None),
        }
    )
    with pytest.raises(services.StudyStateError, match="only while it is a draft"):
        cases_import(study=study, archive=io.BytesIO(late))
    assert not study.cases.filter(code="R1").exists()


def test_given_two_cases_needing_review_then_each_confirm_button_and_image_link_names_its_case(
    page, live_server
):
    owner = UserFactory(username="owner")
    study = draft_study(owner)
    cases_import(
        study=study,
        archive=io.BytesIO(
            zip_of(
                {
                    "manifest.csv": (HEADER + row("B1", "b1.dcm") + row("B2", "b2.dcm")).encode(),
                    "b1.dcm": synthetic_chest_dicom(seed=7, burned_in=None),
                    "b2.dcm": synthetic_chest_dicom(seed=8, burned_in=None),
                }
            )
        ),
    )
    log_in(page, live_server.url, "owner")

    page.goto(f"{live_server.url}/console/studies/{study.slug}/cases/")

    library = page.locator("table", has=page.locator("caption", has_text="2 cases"))
    # One review button per case needing review (each row also has its training form's Save).
    confirm = re.compile("confirm for case")
    expect(library.get_by_role("button", name=confirm)).to_have_count(2)
    expect(library.get_by_role("link")).to_have_count(2)
    # Accessible names as the browser computes them, whichever way the case gets into them.
    named = {
        (role, code): library.get_by_role(role, name=re.compile(rf"\b{code}\b")).count()
        for role in ("button", "link")
        for code in ("B1", "B2")
    }
    # Each case's confirm and its Save (training and feedback) button, and its image link.
    assert named == {
        ("button", "B1"): 2,
        ("button", "B2"): 2,
        ("link", "B1"): 1,
        ("link", "B2"): 1,
    }
