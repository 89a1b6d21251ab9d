"""Issue 3's "Done when" in a real browser: a researcher imports a zip of mixed real and synthetic
DICOM files through the console, sees every file's outcome and why refused files were refused,
reviews the case that needs it, opens the study, and a participant then sees the accepted cases with
the right contrast orientation and no identifying data in the page or the image bytes; plus the
accessibility basics of the console pages the researcher used."""

import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pydicom
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from study import demo, services
from study.core.imaging.samples import rg1_variant
from study.models import Case, Study
from study.services.imports import cases_import
from tests.e2e.a11y import ACCESSIBLE_NAME_JS
from tests.factories import StudyFactory, UserFactory
from tests.study import dicom_factory
from tests.study.dicom_factory import synthetic_chest_dicom

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's password
HEADER = (
    "case,image,vignette,reference_diagnosis,accurate_advice,accurate_diagnosis,"
    "inaccurate_advice,inaccurate_diagnosis,training,annotation,displayed_confidence\n"
)
VIEWPORTS = {
    "laptop-1366x768": {"width": 1366, "height": 768},
    "tablet-portrait-768x1024": {"width": 768, "height": 1024},
}
NEEDS_REVIEW_MESSAGE = (
    "imported; BurnedInAnnotation is absent, so a researcher must look at the image and confirm "
    "it shows no identifying text before the study can open"
)
BURNED_IN_REASON = (
    "BurnedInAnnotation is YES (identifying text may be burned into the pixels); remove the "
    "annotation at the source and export again"
)
TRUNCATED_REASON = "the file is truncated (it ends inside an attribute after 2000 bytes)"
# Every file of the archive with the outcome row the console must show: file, case, outcome, why.
EXPECTED_OUTCOMES = [
    ["images/rg1.dcm", "A1", "needs_review", NEEDS_REVIEW_MESSAGE],
    ["images/good1.dcm", "A2", "imported", "imported"],
    ["images/good2.dcm", "A3", "imported", "imported"],
    ["images/broken.dcm", "A4", "refused", TRUNCATED_REASON],
    ["images/burned.dcm", "A5", "refused", BURNED_IN_REASON],
]
# Identifying values planted in the uploads. Short generic values ("F", "Example", "066Y") are
# left out: they occur by chance in compressed bytes and in ordinary page text.
RG1_PHI = [
    "CompressedSamples^RG1",
    "CompressedSamples",
    "19400305",
    "26210",
    "Philips Medical Systems Hamburg",
    "THORAVISION",
    "92.00.003",
    "exam Number",
    "Our Department",
    "UKE_pa_020395",
    "1.3.6.1.4.1.5962.1.2.9.20040826185059.5457",
    "1.3.6.1.4.1.5962.1.1.9.1.1.20040826185059.5457",
]
PHI_STRINGS = sorted(
    {
        *(value for key, value in dicom_factory.FAKE_PHI.items() if len(value) >= 6),
        "Doe^Jane",
        "Jane Doe",
        dicom_factory.PRIVATE_PHI,
        dicom_factory.PREAMBLE_PHI.decode(),
        dicom_factory.PRIVATE_CREATOR,
        "EXAMPLE_PACS",
        *RG1_PHI,
    }
)

A11Y_JS = (
    "() => {\n"
    + ACCESSIBLE_NAME_JS
    + """  const problems = [];
  if (!(document.documentElement.getAttribute("lang") || "").trim())
    problems.push("html has no lang");
  const h1s = document.querySelectorAll("h1").length;
  if (h1s !== 1) problems.push(`${h1s} h1 elements`);
  for (const el of document.querySelectorAll("input, select, textarea, button, progress")) {
    if (el.type === "hidden") continue;
    const where = `${el.tagName.toLowerCase()}#${el.id || "?"}[name=${el.name || "?"}]`;
    if (!nameOf(el)) problems.push(`${where} unlabelled`);
  }
  document.querySelectorAll("table").forEach((table, index) => {
    const caption = table.querySelector(":scope > caption");
    if (!caption || !text(caption)) problems.push(`table ${index} has no caption`);
    const headers = table.querySelectorAll("th");
    if (!headers.length) problems.push(`table ${index} has no th`);
    headers.forEach(th => {
      if (!["col", "row", "colgroup", "rowgroup"].includes(th.getAttribute("scope")))
        problems.push(`table ${index}: th "${text(th)}" has no scope`);
    });
  });
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth)
    problems.push(`page scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
  return problems;
}"""
)


def _row(case: str, image: str) -> str:
    return (
        f"{case},{image},A patient with a cough.,pneumonia,Consolidation.,pneumonia,"
        "Clear lungs.,normal,false,,\n"
    )


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _mixed_archive() -> bytes:
    """The real RG1 radiograph (MONOCHROME1, BurnedInAnnotation absent), two good synthetic CR
    images (one MONOCHROME1, so a double inversion shows on a synthetic image as well), a
    truncated file and one with BurnedInAnnotation YES, all synthetic ones carrying fake PHI."""
    images = {
        "images/rg1.dcm": rg1_variant("original"),
        "images/good1.dcm": synthetic_chest_dicom(seed=1, burned_in="NO"),
        "images/good2.dcm": synthetic_chest_dicom(
            seed=2, burned_in="NO", photometric="MONOCHROME1"
        ),
        "images/broken.dcm": synthetic_chest_dicom(seed=3)[:2000],
        "images/burned.dcm": synthetic_chest_dicom(seed=4, burned_in="YES"),
    }
    manifest = HEADER + "".join(_row(case, image) for image, case, _, _ in EXPECTED_OUTCOMES)
    return _zip({"manifest.csv": manifest.encode(), **images})


def _draft_study(owner) -> Study:
    """A draft study with the demo's arms and diagnoses: 3 cases per participant, 1 inaccurate."""
    study = StudyFactory(cases_per_participant=3, inaccurate_per_participant=1)
    for arm in demo.ARMS:
        study.arms.create(**arm)
    for index, (code, label) in enumerate(demo.DIAGNOSES):
        study.diagnoses.create(code=code, label=label, position=index)
    study.memberships.create(user=owner, role="owner")
    return study


def _log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/console/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def _table_rows(page: Page, caption: str) -> list[list[str]]:
    table = page.locator("table", has=page.locator("caption", has_text=caption))
    return table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.textContent.trim()))"
    )


def _strip_means(image_bytes: bytes) -> tuple[float, float, float]:
    """Mean grey of a central vertical strip (spine, mediastinum) and of a strip through each lung,
    over the middle fifth of the image height."""
    grey = np.asarray(Image.open(io.BytesIO(image_bytes)).convert("L"), dtype=np.float64)
    height, width = grey.shape
    band = grey[int(height * 0.4) : int(height * 0.6)]

    def strip(start: float, stop: float) -> float:
        return float(band[:, int(width * start) : int(width * stop)].mean())

    return strip(0.25, 0.35), strip(0.46, 0.54), strip(0.65, 0.75)


def _assert_no_phi(data: bytes, where: str) -> None:
    leaked = [value for value in PHI_STRINGS if value.encode() in data]
    assert leaked == [], f"{where} holds identifying data: {leaked}"


def _a11y_problems(page: Page) -> list[str]:
    return page.evaluate(A11Y_JS)


def test_given_a_mixed_archive_when_imported_then_outcomes_review_and_participant_images_are_right(
    page, new_context, live_server, invitation_url, settings, tmp_path
):
    owner = UserFactory(username="owner")
    study = _draft_study(owner)
    # The archive is larger than Django keeps in memory, so the upload passes through a temporary
    # file: send it to a folder of this test's own to see what is left after the request.
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(uploads)
    archive = _mixed_archive()
    assert len(archive) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    untouched = uploads.stat().st_mtime_ns

    # 1. The researcher logs in, opens the Cases page and uploads the archive.
    _log_in(page, live_server.url, "owner")
    page.goto(f"{live_server.url}/console/studies/{study.slug}/")
    page.get_by_role("link", name="Cases", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Cases: {study.title}")
    assert _a11y_problems(page) == []
    page.get_by_label("Zip archive with DICOM files").set_input_files(
        {"name": "cases.zip", "mimeType": "application/zip", "buffer": archive}
    )
    page.get_by_role("button", name="Import").click()

    # The images are processed after the upload completes: the bar shows that while it waits.
    expect(page.locator("#upload-bar")).to_be_visible()
    expect(page.locator("[data-upload-percent]")).to_have_text("100 %, processing the images…")
    expect(page.get_by_role("heading", name="Import result")).to_be_visible(timeout=30_000)
    report = page.locator("#import-report")
    expect(report).to_contain_text("3 cases imported, 2 refused.")
    assert _table_rows(page, "Every file in the archive") == EXPECTED_OUTCOMES
    assert sorted(study.cases.values_list("code", "review_status")) == [
        ("A1", "needs_review"),
        ("A2", "ok"),
        ("A3", "ok"),
    ]
    # The temporary upload file was written and is gone; nothing stored holds identifying data.
    assert uploads.stat().st_mtime_ns != untouched
    assert list(uploads.iterdir()) == []
    stored = [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]
    assert len(stored) >= 3 * 4  # DICOM, display, preview, thumbnail (and presets) per case
    for path in stored:
        _assert_no_phi(path.read_bytes(), f"stored file {path.name}")
    # The full image the researcher must look at before confirming is served to them.
    full_image = page.get_by_role("link", name="Look at the full image")
    response = page.request.get(f"{live_server.url}{full_image.get_attribute('href')}")
    assert (response.status, response.headers["content-type"]) == (200, "image/png")
    assert _a11y_problems(page) == []
    page.set_viewport_size(VIEWPORTS["tablet-portrait-768x1024"])
    assert _a11y_problems(page) == []
    page.set_viewport_size(VIEWPORTS["laptop-1366x768"])

    # 2. The study cannot open while A1 needs review; confirming the review lets it open.
    page.get_by_role("link", name="Overview").click()
    page.get_by_role("button", name="Open for recruitment").click()
    expect(page.locator("ul.messages")).to_have_text(
        "Could not open the study: These cases still need a review for burned-in annotations: A1"
    )
    study.refresh_from_db()
    assert study.status == Study.Status.DRAFT
    page.get_by_role("link", name="Cases", exact=True).click()
    page.get_by_role("button", name="No burned-in identifying text: confirm").click()
    expect(page.locator("ul.messages")).to_have_text(
        "Case A1: no burned-in identifying text, confirmed."
    )
    assert study.cases.get(code="A1").review_status == Case.Review.OK
    page.get_by_role("link", name="Overview").click()
    page.get_by_role("button", name="Open for recruitment").click()
    expect(page.locator("ul.messages")).to_have_text("The study is recruiting.")
    study.refresh_from_db()
    assert study.status == Study.Status.RECRUITING

    # 3. A participant sees every accepted case, oriented correctly and without identifying data.
    (participant,) = services.invitations_create(study=study, count=1)
    person = new_context().new_page()
    person.goto(invitation_url(participant))
    person.get_by_label("I agree to take part", exact=True).check()
    person.get_by_role("button", name="Continue").click()
    person.get_by_label("Your medical specialty").select_option("radiology")
    person.get_by_label("Your training level").select_option("attending")
    person.get_by_label("Years since completing medical school").fill("12")
    person.get_by_label("Never", exact=True).check()
    person.get_by_role("button", name="Start the cases").click()

    seen = []
    for number in (1, 2, 3):
        expect(person).to_have_url(re.compile(rf"/case/{number}/$"))
        person.wait_for_function(
            "() => { const img = document.querySelector('[data-image]');"
            " return img && img.complete && img.naturalWidth > 0; }"
        )
        _assert_no_phi(person.content().encode(), f"case {number} page")
        viewer = person.locator("[data-viewer]")
        urls = {
            "preview": viewer.get_attribute("data-preview"),
            "display": viewer.get_attribute("data-display"),
        }
        for preset in person.locator("[data-preset]").all():
            urls[f"preset {preset.text_content().strip()}"] = preset.get_attribute("data-preset")
        for kind, url in urls.items():
            response = person.request.get(f"{live_server.url}{url}")
            assert response.status == 200, f"case {number} {kind}: {response.status}"
            body = response.body()
            _assert_no_phi(body, f"case {number} {kind} image")
            left, centre, right = _strip_means(body)
            # Lungs dark, spine bright; a doubly inverted MONOCHROME1 image turns this round.
            strips = f"case {number} {kind}: spine strip {centre:.0f}, lungs {left:.0f}/{right:.0f}"
            assert centre > left + 20, strips
            assert centre > right + 20, strips
        seen.append(participant.trials.get(position=number).case.code)
        person.get_by_role(
            "group", name=re.compile(r"^How would you rate the quality")
        ).get_by_label("5", exact=True).check()
        person.get_by_label("Accept the advice", exact=True).check()
        person.get_by_label("Your final diagnosis").select_option("pneumonia")
        person.get_by_role("group", name=re.compile(r"^How confident are you")).get_by_label(
            "5", exact=True
        ).check()
        person.get_by_role("button", name="Save and continue").click()

    expect(person).to_have_url(re.compile(r"/questionnaire/$"))
    assert sorted(seen) == ["A1", "A2", "A3"]


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
@pytest.mark.parametrize("page_name", ["study", "cases"])
def test_given_a_case_library_then_the_console_page_meets_the_accessibility_basics(
    new_context, live_server, viewport, page_name
):
    owner = UserFactory(username="owner")
    study = _draft_study(owner)
    archive = _zip(
        {
            "manifest.csv": (HEADER + _row("B1", "review.dcm") + _row("B2", "good.dcm")).encode(),
            "review.dcm": synthetic_chest_dicom(seed=5, burned_in=None),
            "good.dcm": synthetic_chest_dicom(seed=6, burned_in="NO"),
        }
    )
    report = cases_import(study=study, archive=io.BytesIO(archive))
    assert [o.status for o in report.outcomes] == ["needs_review", "imported"]
    page = new_context(viewport=viewport).new_page()
    _log_in(page, live_server.url, "owner")

    suffix = "cases/" if page_name == "cases" else ""
    page.goto(f"{live_server.url}/console/studies/{study.slug}/{suffix}")

    expect(page.locator("table").first).to_be_visible()
    assert _a11y_problems(page) == []


def test_given_a_page_breaking_each_rule_then_the_checker_names_every_problem(page):
    page.set_viewport_size(VIEWPORTS["tablet-portrait-768x1024"])
    page.set_content(
        "<html><body><h1>One</h1><h1>Two</h1>"
        '<input id="q" name="q"><button></button><progress></progress>'
        "<table><tr><th>Head</th></tr><tr><td>1</td></tr></table>"
        '<div style="width: 2000px">wide</div></body></html>'
    )

    assert _a11y_problems(page) == [
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
    ("photometric", "orientation"), [("MONOCHROME2", "right"), ("MONOCHROME1", "inverted")]
)
def test_given_a_rendering_then_the_strip_means_tell_its_orientation(photometric, orientation):
    # A MONOCHROME1 file shown with its stored values (no inversion) is what a double inversion
    # produces; the strip check must tell it from a correct rendering.
    data = synthetic_chest_dicom(seed=1, photometric=photometric)
    pixels = pydicom.dcmread(io.BytesIO(data)).pixel_array
    png = io.BytesIO()
    Image.fromarray((pixels >> 4).astype(np.uint8)).save(png, format="PNG")

    left, centre, right = _strip_means(png.getvalue())

    looks_right = centre > left + 20 and centre > right + 20
    assert looks_right == (orientation == "right")


@pytest.mark.parametrize(
    ("files", "alert"),
    [
        (
            None,
            ["notes.zip: the upload is not a zip archive (File is not a zip file)"],
        ),
        (
            {"manifest.csv": (HEADER + _row("C1", "missing.dcm")).encode()},
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
    study = _draft_study(owner)
    _log_in(page, live_server.url, "owner")
    page.goto(f"{live_server.url}/console/studies/{study.slug}/cases/")

    page.get_by_label("Zip archive with DICOM files").set_input_files(
        {
            "name": "notes.zip",
            "mimeType": "application/zip",
            "buffer": b"plain notes" if files is None else _zip(files),
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
    study = _draft_study(owner)
    cases_import(
        study=study,
        archive=io.BytesIO(
            _zip(
                {
                    "manifest.csv": (
                        HEADER + "".join(_row(f"G{i}", f"g{i}.dcm") for i in (1, 2, 3))
                    ).encode(),
                    **{f"g{i}.dcm": synthetic_chest_dicom(seed=10 + i) for i in (1, 2, 3)},
                }
            )
        ),
    )
    study = services.study_open(study=study)
    _log_in(page, live_server.url, "owner")

    page.goto(f"{live_server.url}/console/studies/{study.slug}/cases/")

    # A case added now could reach participants without its burned-in review: no upload at all.
    expect(page.get_by_text("the case library is frozen")).to_be_visible()
    expect(page.get_by_label("Zip archive with DICOM files")).to_have_count(0)
    late = _zip(
        {
            "manifest.csv": (HEADER + _row("R1", "review.dcm")).encode(),
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
    study = _draft_study(owner)
    cases_import(
        study=study,
        archive=io.BytesIO(
            _zip(
                {
                    "manifest.csv": (HEADER + _row("B1", "b1.dcm") + _row("B2", "b2.dcm")).encode(),
                    "b1.dcm": synthetic_chest_dicom(seed=7, burned_in=None),
                    "b2.dcm": synthetic_chest_dicom(seed=8, burned_in=None),
                }
            )
        ),
    )
    _log_in(page, live_server.url, "owner")

    page.goto(f"{live_server.url}/console/studies/{study.slug}/cases/")

    library = page.locator("table", has=page.locator("caption", has_text="2 cases"))
    expect(library.get_by_role("button")).to_have_count(2)
    expect(library.get_by_role("link")).to_have_count(2)
    # Accessible names as the browser computes them, whichever way the case gets into them.
    named = {
        (role, code): library.get_by_role(role, name=re.compile(rf"\b{code}\b")).count()
        for role in ("button", "link")
        for code in ("B1", "B2")
    }
    assert named == {
        ("button", "B1"): 1,
        ("button", "B2"): 1,
        ("link", "B1"): 1,
        ("link", "B2"): 1,
    }
