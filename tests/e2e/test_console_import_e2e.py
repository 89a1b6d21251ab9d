"""Issue 3's "Done when" in a real browser: a researcher imports a zip of mixed real and synthetic
DICOM files through the console, sees every file's outcome and why refused files were refused
(and that nothing was imported: all or report), imports the archive without them,
reviews the case that needs it, opens the study, and a participant then sees the accepted cases with
the right contrast orientation and no identifying data in the page or the image bytes."""

import io
import re
from pathlib import Path

import numpy as np
import pydicom
import pytest
from PIL import Image
from playwright.sync_api import expect

from study import services
from study.models import Case, Study
from tests.e2e.console_cases import (
    EXPECTED_OUTCOMES,
    EXPECTED_REFUSED_OUTCOMES,
    VIEWPORTS,
    a11y_problems,
    assert_no_phi,
    draft_study,
    log_in,
    mixed_archive,
    strip_means,
    table_rows,
)
from tests.factories import UserFactory
from tests.study.dicom_factory import synthetic_chest_dicom

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_given_a_mixed_archive_when_imported_then_outcomes_review_and_participant_images_are_right(
    page, new_context, live_server, invitation_url, settings, tmp_path
):
    owner = UserFactory(username="owner")
    study = draft_study(owner)
    # Django would spool an upload this large to a temporary file; TrustLab's upload handler
    # keeps it in memory: this test's own temporary folder must stay untouched.
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(uploads)
    archive = mixed_archive()
    assert len(archive) > 2_621_440  # Django's default FILE_UPLOAD_MAX_MEMORY_SIZE
    untouched = uploads.stat().st_mtime_ns

    # 1. The researcher logs in, opens the Cases page and uploads the archive with two bad files.
    log_in(page, live_server.url, "owner")
    page.goto(f"{live_server.url}/console/studies/{study.slug}/")
    page.get_by_role("link", name="Cases", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Cases: {study.title}")
    assert a11y_problems(page) == []

    def upload(data: bytes) -> None:
        page.get_by_label("Zip archive with DICOM files").set_input_files(
            {"name": "cases.zip", "mimeType": "application/zip", "buffer": data}
        )
        page.get_by_role("button", name="Import").click()
        # The images are processed after the upload completes: the bar shows that while it waits.
        expect(page.locator("#upload-bar")).to_be_visible()
        expect(page.locator("[data-upload-percent]")).to_have_text("100 %, processing the images…")
        expect(page.get_by_role("heading", name="Import result")).to_be_visible(timeout=30_000)

    upload(archive)
    report = page.locator("#import-report")
    expect(report).to_contain_text("Nothing was imported: 2 files refused.")
    assert table_rows(page, "Every file in the archive") == EXPECTED_REFUSED_OUTCOMES
    assert not study.cases.exists()
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []
    assert a11y_problems(page) == []

    # 2. Without the bad files, every case is imported.
    upload(mixed_archive(with_refused=False))
    expect(report).to_contain_text("3 cases imported.")
    assert table_rows(page, "Every file in the archive") == [
        outcome for outcome in EXPECTED_OUTCOMES if outcome[2] != "refused"
    ]
    assert sorted(study.cases.values_list("code", "review_status")) == [
        ("A1", "needs_review"),
        ("A2", "ok"),
        ("A3", "ok"),
    ]
    # Nothing of either upload was written to a temporary file; nothing stored holds PHI.
    assert uploads.stat().st_mtime_ns == untouched
    assert list(uploads.iterdir()) == []
    stored = [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]
    assert len(stored) >= 3 * 4  # DICOM, display, preview, thumbnail (and presets) per case
    for path in stored:
        assert_no_phi(path.read_bytes(), f"stored file {path.name}")
    # The full image the researcher must look at before confirming is served to them.
    full_image = page.get_by_role("link", name="Look at the full image")
    response = page.request.get(f"{live_server.url}{full_image.get_attribute('href')}")
    assert (response.status, response.headers["content-type"]) == (200, "image/png")
    assert a11y_problems(page) == []
    page.set_viewport_size(VIEWPORTS["tablet-portrait-768x1024"])
    assert a11y_problems(page) == []
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
        assert_no_phi(person.content().encode(), f"case {number} page")
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
            assert_no_phi(body, f"case {number} {kind} image")
            left, centre, right = strip_means(body)
            # Lungs dark, spine bright; a doubly inverted MONOCHROME1 image turns this round.
            strips = f"case {number} {kind}: spine strip {centre:.0f}, lungs {left:.0f}/{right:.0f}"
            assert centre > left + 20, strips
            assert centre > right + 20, strips
        seen.append(participant.trials.get(position=number).case.code)
        person.get_by_role(
            "group", name=re.compile(r"^How would you rate the quality")
        ).get_by_label("5", exact=True).check()
        person.get_by_label("Slightly modify the advice", exact=True).check()
        person.get_by_label("Your final diagnosis").select_option("pneumonia")
        person.get_by_role("group", name=re.compile(r"^How confident are you")).get_by_label(
            "5", exact=True
        ).check()
        person.get_by_role("button", name="Save and continue").click()

    expect(person).to_have_url(re.compile(r"/questionnaire/$"))
    assert sorted(seen) == ["A1", "A2", "A3"]


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

    left, centre, right = strip_means(png.getvalue())

    looks_right = centre > left + 20 and centre > right + 20
    assert looks_right == (orientation == "right")
