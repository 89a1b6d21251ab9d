"""Create the Gaube 2021 demo study: arms, diagnoses, eight cases with rendered images."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction

from study import demo, imaging, vocabulary
from study.models import Arm, DiagnosisOption, Study, StudyMembership

from .audit import audit_record
from .cases import (
    AdviceInput,
    CaseInput,
    case_create,
    case_review_confirm,
    imaging_uid_secret,
)
from .studies import study_open

DEMO_SLUG = "gaube-2021"
DEMO_SEED = 20210222


@transaction.atomic
def demo_researcher_ensure(*, username: str, password: str):
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username)
    if created:
        user.set_password(password)
        user.is_staff = True
        user.save()
        user.user_permissions.add(Permission.objects.get(codename="add_study"))
    return user, created


@transaction.atomic
def demo_study_create(*, owner) -> Study:
    """The reference study (Gaube et al. 2021): 2 arms x 2 strata, 8 cases, 2 inaccurate each."""
    study = Study.objects.create(
        title="Chest X-ray advice study (Gaube 2021 demo)",
        slug=DEMO_SLUG,
        description="This is a demonstration of TrustLab. The images are demo material.",
        consent_text=demo.CONSENT_TEXT,
        debrief_text=demo.DEBRIEF_TEXT,
        cases_per_participant=8,
        inaccurate_per_participant=2,
        seed=DEMO_SEED,
        stratum_map=dict(vocabulary.DEFAULT_STRATUM_MAP),
        is_demo=True,
    )
    for arm in demo.ARMS:
        Arm.objects.create(study=study, **arm)
    DiagnosisOption.objects.bulk_create(
        DiagnosisOption(study=study, code=code, label=label, position=index)
        for index, (code, label) in enumerate(demo.DIAGNOSES)
    )
    StudyMembership.objects.create(study=study, user=owner, role=StudyMembership.Role.OWNER)
    uid_secret = imaging_uid_secret()
    for position, item in enumerate(demo.CASES, start=1):
        processed = imaging.dicom_process(
            demo.demo_dicom(item.image_variant),
            filename=f"{item.code}.dcm",
            uid_secret=uid_secret,
        )
        case = case_create(
            study=study,
            case_input=CaseInput(
                code=item.code,
                vignette=item.vignette,
                reference_diagnosis=item.reference_diagnosis,
                accurate=AdviceInput(item.accurate_findings, item.reference_diagnosis),
                inaccurate=AdviceInput(item.inaccurate_findings, item.inaccurate_diagnosis),
                position=position,
                is_demo_material=True,
            ),
            processed=processed,
        )
        if processed.needs_review:
            case_review_confirm(
                case=case, actor=owner, note="Demo material derived from pydicom-data RG1."
            )
    audit_record(action="study.create", study=study, actor=owner, detail={"demo": True})
    return study_open(study=study, actor=owner)
