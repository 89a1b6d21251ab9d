"""Case writes: create a case with both advice variants and store its rendered image.

Derivatives are stored once, under names made of their content hash, through Django's storage
API (local disk by default, an S3-compatible store by configuration)."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from study.core.imaging import ProcessedImage
from study.models import Advice, Case, Study

from .audit import Actor

_PRESET_LABELS = {"default": "Default", "soft": "Lower contrast", "bone": "Higher contrast"}


def imaging_uid_secret() -> bytes:
    """The key for de-identified UIDs: a digest, so any configured secret has a usable length."""
    return hashlib.sha256(b"trustlab-uid:" + settings.IMAGING_UID_SECRET.encode()).digest()


@dataclass(frozen=True)
class AdviceInput:
    findings: str
    diagnosis: str
    annotation: dict | None = None
    displayed_confidence: float | None = None


@dataclass(frozen=True)
class CaseInput:
    code: str
    vignette: str
    reference_diagnosis: str
    accurate: AdviceInput
    inaccurate: AdviceInput
    is_training: bool = False
    position: int = 0
    is_demo_material: bool = False


def _store(folder: str, content: bytes, suffix: str) -> str:
    name = f"cases/{folder}/{hashlib.sha256(content).hexdigest()[:24]}{suffix}"
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(content))
        if saved != name:  # a concurrent save of identical bytes won the name; keep one copy
            default_storage.delete(saved)
    return name


def case_image_attach(*, case: Case, processed: ProcessedImage) -> Case:
    """Store the de-identified DICOM and its derivatives and point the case at them."""
    case.dicom_file.name = _store("dicom", processed.deidentified_dicom, ".dcm")
    case.display_image.name = _store("display", processed.display_png, ".png")
    case.preview_image.name = _store("preview", processed.preview_webp, ".webp")
    case.thumbnail_image.name = _store("thumb", processed.thumbnail_webp, ".webp")
    case.window_presets = [
        {
            "name": preset_name,
            "label": _PRESET_LABELS.get(preset_name, preset_name.title()),
            "path": _store("presets", png, ".png"),
        }
        for preset_name, png in processed.presets
    ]
    case.image_width = processed.width
    case.image_height = processed.height
    case.review_status = Case.Review.NEEDS_REVIEW if processed.needs_review else Case.Review.OK
    case.save()
    return case


@transaction.atomic
def case_create(
    *, study: Study, case_input: CaseInput, processed: ProcessedImage | None = None
) -> Case:
    """A case with its accurate and inaccurate advice; refused once the design is locked (a new
    case would change the frozen design participants run under)."""
    locked = Study.objects.filter(pk=study.pk, design_locked_at__isnull=False).exists()
    if locked:
        raise ValueError(
            f"case {case_input.code}: the design of study '{study.slug}' is locked by its first "
            "enrolment; cases cannot be added any more"
        )
    diagnoses = set(study.diagnoses.values_list("code", flat=True))
    for field, code in (
        ("reference_diagnosis", case_input.reference_diagnosis),
        ("accurate_diagnosis", case_input.accurate.diagnosis),
        ("inaccurate_diagnosis", case_input.inaccurate.diagnosis),
    ):
        if code not in diagnoses:
            raise ValueError(f"case {case_input.code}: {field} '{code}' is not a study diagnosis")
    case = Case.objects.create(
        study=study,
        code=case_input.code,
        vignette=case_input.vignette,
        reference_diagnosis=case_input.reference_diagnosis,
        is_training=case_input.is_training,
        position=case_input.position,
        is_demo_material=case_input.is_demo_material,
    )
    for variant, advice in (
        (Advice.Variant.ACCURATE, case_input.accurate),
        (Advice.Variant.INACCURATE, case_input.inaccurate),
    ):
        Advice.objects.create(
            case=case,
            variant=variant,
            findings=advice.findings,
            diagnosis=advice.diagnosis,
            annotation=advice.annotation,
            displayed_confidence=advice.displayed_confidence,
        )
    if processed is not None:
        case_image_attach(case=case, processed=processed)
    return case


@transaction.atomic
def case_review_confirm(*, case: Case, actor: Actor = None, note: str = "") -> Case:
    """A researcher looked at the image and found no burned-in identifying text."""
    from .audit import audit_record

    case.review_status = Case.Review.OK
    case.save(update_fields=["review_status"])
    audit_record(
        action="case.review_confirmed",
        study=case.study,
        actor=actor,
        detail={"case": case.code, "note": note},
    )
    return case
