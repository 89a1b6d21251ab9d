"""The demo of each design template: its slug, title and seed, and the cases it is seeded with.

The chest X-ray designs reuse the eight Gaube 2021 cases (study.demo.content); Gaube 2023 and
Prinster 2024 add advice that differs between its variants: the accurate advice marks the
finding, the inaccurate advice another region, each with its own displayed confidence (65-94 %).
Dratsch 2023's BI-RADS demo is scaled down so that it can be tried in a few minutes: 2 training
cases with feedback and 10 test cases of which 3 are inaccurate (the template's 10 + 40 with 12
inaccurate, in about the same proportion); its images are the RG1 chest radiograph standing in for
mammograms, which the description says.
"""

from dataclasses import dataclass, field

from study.core import design_templates
from study.core.imaging.samples import RG1_VARIANTS
from study.services.cases import AdviceInput

from . import content

DEMO_NOTE = "This is a demonstration of TrustLab. The images are demo material."


# A demo case's advice is what the case service takes: findings, diagnosis, annotation, confidence.
DemoAdvice = AdviceInput


@dataclass(frozen=True)
class DemoCaseData:
    code: str
    vignette: str
    reference_diagnosis: str
    accurate: DemoAdvice
    inaccurate: DemoAdvice
    image_variant: str
    is_training: bool = False
    feedback: str = ""


@dataclass(frozen=True)
class DemoDesign:
    template: str  # a design_templates.TEMPLATES name
    slug: str
    title: str
    seed: int
    note: str = ""  # what the demo changes from the template, for the information page
    settings: dict = field(default_factory=dict)  # the demo's changes to the template settings
    examples: bool = False  # seed an example library for the advised diagnoses


def _box(x: int, y: int, width: int, height: int) -> dict:
    return {"type": "box", "x": x, "y": y, "width": width, "height": height}


def _arrow(x1: int, y1: int, x2: int, y2: int) -> dict:
    return {"type": "arrow", "x1": x1, "y1": y1, "x2": x2, "y2": y2}


# Per case: (accurate annotation, its confidence, inaccurate annotation, its confidence). Pixel
# coordinates within the smallest RG1 variant (1611 x 1761, the cropped ones).
_DIFFERING = {
    "C01": (_box(260, 1050, 460, 420), 91, _arrow(1450, 250, 1180, 520), 72),
    "C02": (_arrow(1350, 300, 1150, 420), 87, _box(300, 900, 400, 380), 68),
    "C03": (_box(450, 600, 800, 700), 94, _box(200, 1200, 380, 300), 76),
    "C04": (_box(420, 700, 260, 260), 83, _arrow(1400, 1400, 1150, 1250), 65),
    "C05": (_box(1000, 1250, 480, 380), 89, _arrow(300, 500, 520, 700), 70),
    "C06": (_arrow(1450, 900, 1250, 1000), 78, _box(400, 300, 350, 300), 81),
    "C07": (_box(250, 300, 1100, 1200), 92, _box(1050, 1300, 420, 320), 67),
    "C08": (_box(600, 500, 500, 600), 85, _arrow(1350, 1350, 1120, 1180), 74),
}


def chest_cases(*, differing: bool) -> tuple[DemoCaseData, ...]:
    """The eight Gaube 2021 cases; with ``differing`` advice variants, each variant has its
    own annotation and displayed confidence."""
    cases = []
    for item in content.CASES:
        accurate = DemoAdvice(item.accurate_findings, item.reference_diagnosis)
        inaccurate = DemoAdvice(item.inaccurate_findings, item.inaccurate_diagnosis)
        if differing:
            good, good_confidence, bad, bad_confidence = _DIFFERING[item.code]
            accurate = DemoAdvice(accurate.findings, accurate.diagnosis, good, good_confidence)
            inaccurate = DemoAdvice(inaccurate.findings, inaccurate.diagnosis, bad, bad_confidence)
        cases.append(
            DemoCaseData(
                item.code,
                item.vignette,
                item.reference_diagnosis,
                accurate,
                inaccurate,
                item.image_variant,
            )
        )
    return tuple(cases)


_BIRADS = dict(design_templates.BIRADS_CATEGORIES)
# The suggestion an inaccurate advice makes for each reference: a missed or a false alarm.
_BIRADS_WRONG = {
    "birads1": "birads4",
    "birads2": "birads4",
    "birads3": "birads1",
    "birads4": "birads2",
    "birads5": "birads2",
}
_BIRADS_FINDINGS = {
    "birads1": "No mass, calcification or architectural distortion.",
    "birads2": "Stable benign-appearing calcifications; no suspicious finding.",
    "birads3": "Small circumscribed oval mass, likely benign; short-interval follow-up.",
    "birads4": "Irregular mass with indistinct margins in the upper outer quadrant.",
    "birads5": "Spiculated mass with associated fine pleomorphic calcifications.",
}
# (code, age, reference, training) for the BI-RADS demo: training first, then the test cases.
_BIRADS_CASES = (
    ("T01", 52, "birads2", True),
    ("T02", 61, "birads5", True),
    ("M01", 48, "birads1", False),
    ("M02", 57, "birads4", False),
    ("M03", 66, "birads2", False),
    ("M04", 50, "birads3", False),
    ("M05", 71, "birads5", False),
    ("M06", 45, "birads1", False),
    ("M07", 59, "birads4", False),
    ("M08", 63, "birads2", False),
    ("M09", 54, "birads3", False),
    ("M10", 68, "birads1", False),
)
_TRAINING_FEEDBACK = {
    "T01": "Scattered round calcifications that are unchanged from the prior study are benign: "
    "report BI-RADS 2 and return to routine screening.",
    "T02": "A spiculated mass with fine pleomorphic calcifications is highly suggestive of "
    "malignancy: report BI-RADS 5 and recommend a biopsy.",
}


def _suggestion(category: str) -> str:
    return f"{_BIRADS_FINDINGS[category]} Suggested category: {_BIRADS[category]}."


def birads_cases() -> tuple[DemoCaseData, ...]:
    """The BI-RADS demo's cases; every test case has both variants (the allocation chooses the
    3 inaccurate per participant), training cases are always shown with accurate advice."""
    variants = [*RG1_VARIANTS[1:], RG1_VARIANTS[0]]
    cases = []
    for index, (code, age, reference, training) in enumerate(_BIRADS_CASES):
        cases.append(
            DemoCaseData(
                code=code,
                vignette=f"Screening mammogram of a {age}-year-old woman without symptoms. "
                "Craniocaudal and mediolateral oblique views.",
                reference_diagnosis=reference,
                accurate=DemoAdvice(_suggestion(reference), reference),
                inaccurate=DemoAdvice(
                    _suggestion(_BIRADS_WRONG[reference]), _BIRADS_WRONG[reference]
                ),
                image_variant=variants[index % len(variants)],
                is_training=training,
                feedback=_TRAINING_FEEDBACK.get(code, ""),
            )
        )
    return tuple(cases)


DEMOS = {
    demo.template: demo
    for demo in (
        DemoDesign(
            "gaube2021", "gaube-2021", "Chest X-ray advice study (Gaube 2021 demo)", 20210222
        ),
        DemoDesign(
            "gaube2023", "gaube-2023", "Chest X-ray annotation study (Gaube 2023 demo)", 20230125
        ),
        DemoDesign(
            "prinster2024",
            "prinster-2024",
            "AI explanation study (Prinster 2024 demo)",
            20240820,
            examples=True,
        ),
        DemoDesign(
            "dratsch2023",
            "dratsch-2023",
            "BI-RADS reader study (Dratsch 2023 demo)",
            20230502,
            note="The demo is scaled down: 2 training cases, then 10 test cases of which 3 carry "
            "an incorrect suggestion (the published design: 10 training and 40 test cases, 12 "
            "incorrect). A chest radiograph stands in for each mammogram.",
            settings={
                "cases_per_participant": 10,
                "inaccurate_per_participant": 3,
                "consent_text": design_templates.DRATSCH2023.consent_text.replace(
                    "10 training cases", "2 training cases"
                )
                .replace("then 40 test cases", "then 10 test cases")
                .replace("about 60 minutes", "about 10 minutes"),
            },
        ),
        DemoDesign("reveal", "reveal-demo", "Read-then-reveal study (demo)", 20200101),
    )
}


def demo_cases(demo: DemoDesign) -> tuple[DemoCaseData, ...]:
    if demo.template == "dratsch2023":
        return birads_cases()
    return chest_cases(differing=demo.template in ("gaube2023", "prinster2024"))
