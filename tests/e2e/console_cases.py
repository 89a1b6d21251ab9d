"""Archives, constants and page helpers shared by the console case-library browser tests."""

import io
import zipfile

import numpy as np
from PIL import Image
from playwright.sync_api import Page, expect

from study import demo
from study.core.imaging.samples import rg1_variant
from study.models import Study
from tests.e2e.a11y import ACCESSIBLE_NAME_JS
from tests.factories import StudyFactory
from tests.study import dicom_factory
from tests.study.dicom_factory import synthetic_chest_dicom

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


def row(case: str, image: str) -> str:
    return (
        f"{case},{image},A patient with a cough.,pneumonia,Consolidation.,pneumonia,"
        "Clear lungs.,normal,false,,\n"
    )


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# The same archive with its two bad files: nothing is imported (all or report), and the good
# files say so.
HELD_BACK = "acceptable{}, but nothing was imported: 2 files were refused"
EXPECTED_REFUSED_OUTCOMES = [
    [
        file,
        case,
        status if status == "refused" else "not_imported",
        message
        if status == "refused"
        else HELD_BACK.format(
            " (it will need a review for burned-in text)" if status == "needs_review" else ""
        ),
    ]
    for file, case, status, message in EXPECTED_OUTCOMES
]


def mixed_archive(*, with_refused: bool = True) -> bytes:
    """The real RG1 radiograph (MONOCHROME1, BurnedInAnnotation absent), two good synthetic CR
    images (one MONOCHROME1, so a double inversion shows on a synthetic image as well), a
    truncated file and one with BurnedInAnnotation YES, all synthetic ones carrying fake PHI;
    without the refused ones, only the three good files."""
    images = {
        "images/rg1.dcm": rg1_variant("original"),
        "images/good1.dcm": synthetic_chest_dicom(seed=1, burned_in="NO"),
        "images/good2.dcm": synthetic_chest_dicom(
            seed=2, burned_in="NO", photometric="MONOCHROME1"
        ),
        "images/broken.dcm": synthetic_chest_dicom(seed=3)[:2000],
        "images/burned.dcm": synthetic_chest_dicom(seed=4, burned_in="YES"),
    }
    outcomes = [o for o in EXPECTED_OUTCOMES if with_refused or o[2] != "refused"]
    if not with_refused:
        images = {name: data for name, data in images.items() if name in {o[0] for o in outcomes}}
    manifest = HEADER + "".join(row(case, image) for image, case, _, _ in outcomes)
    return zip_of({"manifest.csv": manifest.encode(), **images})


def draft_study(owner) -> Study:
    """A draft study with the demo's arms and diagnoses: 3 cases per participant, 1 inaccurate."""
    study = StudyFactory(cases_per_participant=3, inaccurate_per_participant=1)
    for arm in demo.ARMS:
        study.arms.create(**arm)
    for index, (code, label) in enumerate(demo.DIAGNOSES):
        study.diagnoses.create(code=code, label=label, position=index)
    study.memberships.create(user=owner, role="owner")
    return study


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/console/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def table_rows(page: Page, caption: str) -> list[list[str]]:
    table = page.locator("table", has=page.locator("caption", has_text=caption))
    return table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.textContent.trim()))"
    )


def strip_means(image_bytes: bytes) -> tuple[float, float, float]:
    """Mean grey of a central vertical strip (spine, mediastinum) and of a strip through each lung,
    over the middle fifth of the image height."""
    grey = np.asarray(Image.open(io.BytesIO(image_bytes)).convert("L"), dtype=np.float64)
    height, width = grey.shape
    band = grey[int(height * 0.4) : int(height * 0.6)]

    def strip(start: float, stop: float) -> float:
        return float(band[:, int(width * start) : int(width * stop)].mean())

    return strip(0.25, 0.35), strip(0.46, 0.54), strip(0.65, 0.75)


def assert_no_phi(data: bytes, where: str) -> None:
    leaked = [value for value in PHI_STRINGS if value.encode() in data]
    assert leaked == [], f"{where} holds identifying data: {leaked}"


def a11y_problems(page: Page) -> list[str]:
    return page.evaluate(A11Y_JS)
