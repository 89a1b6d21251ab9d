"""Case writes: create a case with both advice variants and store its rendered image.

Derivatives are stored once, under names made of their content hash, through Django's storage
API (local disk by default, an S3-compatible store by configuration)."""

import contextlib
import dataclasses
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q

from study.core.design_document import text_normalise
from study.core.imaging import ProcessedImage
from study.core.imaging.source import source_from_dicom
from study.core.translations import (
    ADVICE_TEXTS,
    CASE_TEXTS,
    TranslationError,
    row_translations_check,
)
from study.models import Advice, Case, Study
from study.selectors.texts import site_languages

from .audit import Actor, audit_record
from .design_rules import locked_refuse
from .studies import StudyStateError

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
    translations: dict = dataclasses.field(default_factory=dict)  # {"de": {"findings": ...}}


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
    feedback: str = ""  # shown after a training case when the study gives training feedback
    translations: dict = dataclasses.field(
        default_factory=dict
    )  # {"de": {"vignette":, "feedback":}}


class ImageStoreError(RuntimeError):
    """The image store refused a write (a full disk, lost permissions, the object store down):
    nothing of that file is left behind, and nothing the caller was importing is kept."""


def _stored_intact(name: str, content: bytes) -> bool:
    """Whether the file stored under `name` holds exactly `content` (a write cut short by a
    full disk leaves a shorter file under the right name)."""
    if default_storage.size(name) != len(content):
        return False
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as stored:
        for chunk in iter(lambda: stored.read(1 << 20), b""):
            digest.update(chunk)
    return digest.digest() == hashlib.sha256(content).digest()


def _store(folder: str, content: bytes, suffix: str, *, root: str = "cases") -> tuple[str, bool]:
    """The content-hash name, and whether this call wrote it (False: it was there already).
    ``root`` is the library: "cases", or "examples" for the example library."""
    name = f"{root}/{folder}/{hashlib.sha256(content).hexdigest()[:24]}{suffix}"
    if default_storage.exists(name):
        if _stored_intact(name, content):
            return name, False
        default_storage.delete(name)  # a damaged copy under the name: write it again
    try:
        saved = default_storage.save(name, ContentFile(content))
    except OSError as error:
        with contextlib.suppress(OSError):
            if default_storage.exists(name) and not _stored_intact(name, content):
                default_storage.delete(name)  # what the failed write left: never reused
        reason = error.strerror or str(error) or type(error).__name__
        raise ImageStoreError(f"the image store could not take {name}: {reason}") from error
    if saved != name:  # a concurrent save of identical bytes won the name; keep one copy
        default_storage.delete(saved)
        return name, False
    return name, True


@dataclass(frozen=True)
class StoredImage:
    """A case image's derivatives in storage, not yet attached to any case."""

    dicom: str
    display: str
    preview: str
    thumbnail: str
    presets: tuple[tuple[str, str], ...]  # (preset name, stored name)
    source: str  # the viewer's packed window/level source (study.core.imaging.source)
    source_window: dict  # its mapping to modality units and its windows
    width: int
    height: int
    needs_review: bool
    created: tuple[str, ...]  # the names this store wrote; the others were there before


def case_image_store(*, processed: ProcessedImage) -> StoredImage:
    """Store the de-identified DICOM and its derivatives under content-hash names."""
    created: list[str] = []

    def store(folder: str, content: bytes, suffix: str) -> str:
        name, wrote = _store(folder, content, suffix)
        if wrote:
            created.append(name)
        return name

    try:
        return StoredImage(
            dicom=store("dicom", processed.deidentified_dicom, ".dcm"),
            display=store("display", processed.display_png, ".png"),
            preview=store("preview", processed.preview_webp, ".webp"),
            thumbnail=store("thumb", processed.thumbnail_webp, ".webp"),
            presets=tuple((name, store("presets", png, ".png")) for name, png in processed.presets),
            source=store("source", processed.source_png, ".png"),
            source_window=_json_copy(processed.source_window),
            width=processed.width,
            height=processed.height,
            needs_review=processed.needs_review,
            created=tuple(created),
        )
    except ImageStoreError:
        # the derivatives written before the failing one are this call's to remove
        case_images_discard(images=[_Written(tuple(created))])
        raise


def _json_copy(mapping) -> dict:
    """A plain dict of nested mappings (the imaging core hands out read-only views)."""
    return {
        key: _json_copy(value) if hasattr(value, "items") else value
        for key, value in mapping.items()
    }


@dataclass(frozen=True)
class _Written:
    created: tuple[str, ...]


def case_images_discard(*, images: Iterable[StoredImage | _Written]) -> None:
    """Delete what these stores wrote, unless a stored case points at it (identical bytes of
    another case share a content-hash name): used when an import stores nothing after all."""
    for name in dict.fromkeys(name for image in images for name in image.created):
        referenced = Case.objects.filter(
            Q(dicom_file=name)
            | Q(display_image=name)
            | Q(preview_image=name)
            | Q(thumbnail_image=name)
            | Q(source_image=name)
            | Q(window_presets__icontains=name)
        ).exists()
        if not referenced:
            default_storage.delete(name)


def case_image_attach(
    *, case: Case, processed: ProcessedImage | None = None, stored: StoredImage | None = None
) -> Case:
    """Point the case at its stored image (storing `processed` first when given instead)."""
    if stored is None:
        if processed is None:
            raise ValueError(f"case {case.code}: no image to attach")
        stored = case_image_store(processed=processed)
    case.dicom_file.name = stored.dicom
    case.display_image.name = stored.display
    case.preview_image.name = stored.preview
    case.thumbnail_image.name = stored.thumbnail
    case.window_presets = [
        {
            "name": preset_name,
            "label": _PRESET_LABELS.get(preset_name, preset_name.title()),
            "path": path,
        }
        for preset_name, path in stored.presets
    ]
    case.source_image.name = stored.source
    case.source_window = stored.source_window
    case.image_width = stored.width
    case.image_height = stored.height
    case.review_status = Case.Review.NEEDS_REVIEW if stored.needs_review else Case.Review.OK
    case.save()
    return case


@transaction.atomic
def case_source_render(*, case: Case) -> bool:
    """Give a case imported before viewer sources existed its packed window/level source,
    rendered from its stored de-identified DICOM. False when there is nothing to do (a source
    already, or no DICOM), so running it again changes nothing. Raises DicomError when the
    stored file cannot be read, ImageStoreError when the store refuses the write."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.source_image or not case.dicom_file:
        return False
    with default_storage.open(case.dicom_file.name, "rb") as stored:
        data = stored.read()
    source = source_from_dicom(data, filename=case.dicom_file.name)
    name, wrote = _store("source", source.png, ".png")
    case.source_image.name = name
    case.source_window = _json_copy(source.window)
    try:
        case.save(update_fields=["source_image", "source_window"])
    except Exception:
        if wrote:  # nothing refers to it: the row that would have is not written
            default_storage.delete(name)
        raise
    return True


@transaction.atomic
def case_create(
    *,
    study: Study,
    case_input: CaseInput,
    processed: ProcessedImage | None = None,
    stored: StoredImage | None = None,
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
        feedback=text_normalise(case_input.feedback),
        position=case_input.position,
        is_demo_material=case_input.is_demo_material,
        translations=_translations_checked(
            study, case_input.code, case_input.translations, CASE_TEXTS
        ),
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
            translations=_translations_checked(
                study, case_input.code, advice.translations, ADVICE_TEXTS
            ),
        )
    if processed is not None or stored is not None:
        case_image_attach(case=case, processed=processed, stored=stored)
    return case


def _translations_checked(study: Study, code: str, raw: dict, limits: dict) -> dict:
    """A case's or advice's texts in further languages (study.core.translations), normalised;
    a ValueError naming the case for a wrong language or a text too long."""
    try:
        return row_translations_check(
            raw, languages=site_languages(), base=study.language, limits=limits
        )
    except TranslationError as error:
        raise ValueError(f"case {code}: translations {error}") from None


@transaction.atomic
def case_review_confirm(*, case: Case, actor: Actor = None, note: str = "") -> Case:
    """A researcher looked at the image and found no burned-in identifying text."""
    case.review_status = Case.Review.OK
    case.save(update_fields=["review_status"])
    audit_record(
        action="case.review_confirmed",
        study=case.study,
        actor=actor,
        detail={"case": case.code, "note": note},
    )
    return case


class CaseReviewError(ValueError):
    """A bulk review that cannot be confirmed as asked; the message names the codes."""


@transaction.atomic
def case_reviews_confirm(
    *, study: Study, codes: Iterable[str], actor: Actor = None, note: str = ""
) -> list[Case]:
    """Confirm "no burned-in identifying text" for several of the study's cases at once: all or
    none, refused when a code is not this study's or its case is not awaiting review; audited
    per case, as one confirmation is."""
    wanted = list(dict.fromkeys(code.strip() for code in codes if code.strip()))
    if not wanted:
        raise CaseReviewError("Select at least one case to confirm.")
    cases = {
        case.code: case
        for case in study.cases.select_for_update().filter(code__in=wanted).order_by("position")
    }
    unknown = [code for code in wanted if code not in cases]
    if unknown:
        raise CaseReviewError(f"Not cases of this study: {', '.join(unknown)}.")
    done = [code for code in wanted if cases[code].review_status != Case.Review.NEEDS_REVIEW]
    if done:
        raise CaseReviewError(f"Not awaiting review: {', '.join(done)}.")
    return [case_review_confirm(case=cases[code], actor=actor, note=note) for code in wanted]


FEEDBACK_MAX = 4000  # characters: a short explanation, read on one page after the case


@transaction.atomic
def case_training_set(*, case: Case, is_training: bool, feedback: str, actor: Actor = None) -> Case:
    """Mark a case as a training or a test case and set its feedback text (shown after a
    training case when the study gives training feedback). Only while the study is a draft:
    both are part of the design participants run under. Audited with the fields it changed."""
    study = Study.objects.select_for_update().get(pk=case.study_id)
    locked_refuse(study=study, what="training cases and their feedback")
    if study.status != Study.Status.DRAFT:
        raise StudyStateError(
            f"Study '{study.slug}' is {study.status}: training cases and their feedback can "
            "change only while it is a draft."
        )
    feedback = text_normalise(feedback)
    if len(feedback) > FEEDBACK_MAX:
        raise ValueError(
            f"case {case.code}: the feedback is {len(feedback)} characters; at most {FEEDBACK_MAX}"
        )
    case = Case.objects.select_for_update().get(pk=case.pk)
    values = {"is_training": bool(is_training), "feedback": feedback}
    changed = [name for name, value in values.items() if getattr(case, name) != value]
    if not changed:
        return case
    for name in changed:
        setattr(case, name, values[name])
    case.save(update_fields=changed)
    audit_record(
        action="case.training",
        study=study,
        actor=actor,
        detail={"case": case.code, "fields": changed, "is_training": case.is_training},
    )
    return case
