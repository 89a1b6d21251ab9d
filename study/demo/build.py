"""Build the demo studies through the services, as a study team would in the console: a study
from the design's template (study.services.designs), its demo cases and images, for Prinster
2024 its example library, then opened for recruitment."""

from typing import Any

from django.db import transaction

from study import services
from study.core import imaging
from study.core.imaging.samples import rg1_variant
from study.models import Case, Study
from study.services.cases import StoredImage, case_image_store
from study.services.designs import study_from_template

from . import examples
from .designs import DEMO_NOTE, DEMOS, DemoCaseData, DemoDesign, demo_cases

DEMO_SLUG = DEMOS["gaube2021"].slug
DEMO_SEED = DEMOS["gaube2021"].seed
DEMO_DESIGNS = tuple(DEMOS)


class UnknownDemo(ValueError):
    """A design name with no demo; the message lists the known names."""


def demo_design(name: str) -> DemoDesign:
    if name not in DEMOS:
        raise UnknownDemo(f"unknown design {name!r}: the designs are {', '.join(DEMO_DESIGNS)}")
    return DEMOS[name]


@transaction.atomic
def demo_study_ensure(*, owner: Any, design: str = "gaube2021") -> tuple[Study, bool]:
    """The design's demo study, created on the first call; True as second value when it was
    created."""
    demo = demo_design(design)
    study = Study.objects.filter(slug=demo.slug).first()
    if study is not None:
        return study, False
    return demo_study_create(owner=owner, design=design), True


@transaction.atomic
def demo_study_create(*, owner: Any, design: str = "gaube2021") -> Study:
    """The design's demo (Gaube 2021 by default: 2 arms x 2 strata, 8 cases, 2 inaccurate each),
    created from its template, filled and opened through the services the console calls."""
    demo = demo_design(design)
    settings = dict(demo.settings)
    description = " ".join(part for part in (DEMO_NOTE, demo.note) if part)
    study = study_from_template(
        template=demo.template,
        title=demo.title,
        slug=demo.slug,
        owner=owner,
        description=description,
        seed=demo.seed,
        is_demo=True,
        **settings,
    )
    cases = demo_cases(demo)
    stored: dict[str, StoredImage] = {}  # one rendering per RG1 variant, shared by its cases
    for position, item in enumerate(cases, start=1):
        if item.image_variant not in stored:
            processed = imaging.dicom_process(
                rg1_variant(item.image_variant),
                filename=f"{item.code}.dcm",
                uid_secret=services.imaging_uid_secret(),
            )
            stored[item.image_variant] = case_image_store(processed=processed)
        case = services.case_create(
            study=study,
            case_input=_case_input(item, position=position),
            stored=stored[item.image_variant],
        )
        if case.review_status == Case.Review.NEEDS_REVIEW:
            services.case_review_confirm(
                case=case, actor=owner, note="Demo material derived from pydicom-data RG1."
            )
    if demo.examples:
        _examples_add(study=study, cases=cases, owner=owner)
    return services.study_open(study=study, actor=owner)


def _case_input(item: DemoCaseData, *, position: int) -> services.CaseInput:
    return services.CaseInput(
        code=item.code,
        vignette=item.vignette,
        reference_diagnosis=item.reference_diagnosis,
        accurate=item.accurate,
        inaccurate=item.inaccurate,
        is_training=item.is_training,
        feedback=item.feedback,
        position=position,
        is_demo_material=True,
    )


def _examples_add(*, study: Study, cases: tuple[DemoCaseData, ...], owner: Any) -> None:
    """Example images for every diagnosis any advice suggests (a global arm shows them)."""
    from study.services.examples import example_image_add

    advised = sorted(
        {advice.diagnosis for item in cases for advice in (item.accurate, item.inaccurate)}
    )
    for number, diagnosis in enumerate(advised):
        for index in range(examples.EXAMPLES_PER_DIAGNOSIS):
            example_image_add(
                study=study,
                diagnosis=diagnosis,
                # A neutral name: never the diagnosis (blinding).
                filename=f"example-{number * examples.EXAMPLES_PER_DIAGNOSIS + index + 1:02d}.png",
                content=examples.example_png(diagnosis, index),
                actor=owner,
            )
