"""Build the Gaube 2021 demo study through the services, as a study team would in the console."""

from typing import Any

from django.db import transaction

from study import services
from study.core import imaging, vocabulary
from study.core.imaging.samples import rg1_variant
from study.models import Study

from . import content

DEMO_SLUG = "gaube-2021"
DEMO_SEED = 20210222


@transaction.atomic
def demo_study_ensure(*, owner: Any) -> tuple[Study, bool]:
    """The demo study, created on the first call; True as second value when it was created."""
    study = Study.objects.filter(slug=DEMO_SLUG).first()
    if study is not None:
        return study, False
    return demo_study_create(owner=owner), True


@transaction.atomic
def demo_study_create(*, owner: Any) -> Study:
    """The reference study (Gaube et al. 2021): 2 arms x 2 strata, 8 cases, 2 inaccurate each,
    created, filled and opened through the same services the console's builder calls."""
    study = services.study_create(
        title="Chest X-ray advice study (Gaube 2021 demo)",
        slug=DEMO_SLUG,
        owner=owner,
        description="This is a demonstration of TrustLab. The images are demo material.",
        consent_text=content.CONSENT_TEXT,
        debrief_text=content.DEBRIEF_TEXT,
        cases_per_participant=8,
        inaccurate_per_participant=2,
        seed=DEMO_SEED,
        stratum_map=dict(vocabulary.DEFAULT_STRATUM_MAP),
        is_demo=True,
    )
    for arm in content.ARMS:
        services.arm_save(study=study, actor=owner, **arm)
    for index, (code, label) in enumerate(content.DIAGNOSES):
        services.diagnosis_save(study=study, actor=owner, code=code, label=label, position=index)
    uid_secret = services.imaging_uid_secret()
    for position, item in enumerate(content.CASES, start=1):
        processed = imaging.dicom_process(
            rg1_variant(item.image_variant), filename=f"{item.code}.dcm", uid_secret=uid_secret
        )
        case = services.case_create(
            study=study,
            case_input=services.CaseInput(
                code=item.code,
                vignette=item.vignette,
                reference_diagnosis=item.reference_diagnosis,
                accurate=services.AdviceInput(item.accurate_findings, item.reference_diagnosis),
                inaccurate=services.AdviceInput(
                    item.inaccurate_findings, item.inaccurate_diagnosis
                ),
                position=position,
                is_demo_material=True,
            ),
            processed=processed,
        )
        if processed.needs_review:
            services.case_review_confirm(
                case=case, actor=owner, note="Demo material derived from pydicom-data RG1."
            )
    return services.study_open(study=study, actor=owner)
