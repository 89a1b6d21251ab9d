"""Design versions: the study's canonical design document, its live hash, the lock that makes
it version 1, and each later version (study/core/design_document.py normalises and hashes).

Rule: while the study is a draft the hash is computed live and changes as the design changes;
the first enrolment freezes it as version 1; after that only an amendment with a reason
(services.amendments.design_amend) adds a version, and Study.design_hash is always the current
version's hash. Versions are never changed or deleted.
"""

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from study.core import allocation, questions
from study.core.design_document import DOCUMENT_FORMAT, document_hash, document_normalise
from study.models import DesignVersion, Study

from .audit import Actor, audit_record

# The study's own texts participants read; arms, diagnoses and cases carry their own texts.
STUDY_TEXTS = ("title", "description", "consent_text", "debrief_text")
# The design settings participants are allocated and asked by (the allocation engine's, the
# scales and the strata); recruitment settings are left out (design_document.EXCLUDED_SETTINGS).
STUDY_DESIGN = (
    "cases_per_participant",
    "inaccurate_per_participant",
    "annotated_per_participant",
    "order_policy",
    "read_then_reveal",
    "rating_scale_max",
    "confidence_scale_max",
    "block_multiplier",
    "seed",
    "stratify_by",
    "stratum_map",
    *questions.QUESTION_SETTINGS,
    "screening",
    "questionnaire_items",
)


# Any: a JSON document of mixed values (numbers, flags, texts, nested lists and maps).
def design_document(*, study: Study) -> dict[str, Any]:
    """Everything a participant sees or is allocated by, as plain normalised data.

    Works from the first draft on: a design still missing arms or cases has a document (and a
    hash) too. Cases are in the allocation engine's order (position, code)."""
    cases = study.cases.prefetch_related("advice").order_by("position", "code")
    document = {
        "format": DOCUMENT_FORMAT,
        "engine": allocation.ENGINE_VERSION,
        "texts": {name: getattr(study, name) for name in STUDY_TEXTS},
        # The language of those texts and their translations (study.core.translations): what
        # a participant reads in each language is part of the design.
        "language": study.language,
        "translations": study.translations or {},
        "design": {name: getattr(study, name) for name in STUDY_DESIGN},
        "arms": [
            {
                "code": arm.code,
                "advice_source": arm.advice_source,
                "label": arm.label,
                "persona": arm.persona,
                "weight": arm.weight,
                "explanation": arm.explanation,
            }
            for arm in study.arms.order_by("code")
        ],
        "diagnoses": [
            {"code": code, "label": label}
            for code, label in study.diagnoses.order_by("position", "code").values_list(
                "code", "label"
            )
        ],
        "cases": [
            {
                "code": case.code,
                "training": case.is_training,
                "feedback": case.feedback,
                "vignette": case.vignette,
                "reference": case.reference_diagnosis,
                "translations": case.translations or {},
                # Content-hash names of the de-identified DICOM and of what the viewer shows.
                "image": {
                    "dicom": case.dicom_file.name or "",
                    "display": case.display_image.name or "",
                    "presets": [
                        [preset.get("name"), preset.get("label"), preset.get("path")]
                        for preset in case.window_presets
                    ],
                },
                "advice": [
                    {
                        "variant": a.variant,
                        "findings": a.findings,
                        "diagnosis": a.diagnosis,
                        "annotation": a.annotation,
                        "displayed_confidence": a.displayed_confidence,
                        "translations": a.translations or {},
                    }
                    for a in sorted(case.advice.all(), key=lambda a: a.variant)
                ],
            }
            for case in cases
        ],
        # The example library that global-explanation arms show, by content-hash name.
        "examples": [
            {"code": code, "diagnosis": diagnosis, "image": display}
            for code, diagnosis, display in study.examples.order_by(
                "diagnosis", "position", "code"
            ).values_list("code", "diagnosis", "display_image")
        ],
    }
    return document_normalise(document)


def design_hash_live(*, study: Study) -> str:
    """The hash of the design as it is now (while a draft: it changes as the design changes)."""
    return document_hash(design_document(study=study))


def design_hash_shown(*, study: Study) -> str:
    """The hash to show: live while the study is a draft, the current version's after the lock."""
    if study.design_locked_at is not None and study.design_hash:
        return study.design_hash
    return design_hash_live(study=study)


def _version_add(*, study: Study, actor: Actor, reason: str) -> DesignVersion:
    """Record the design as it is now as the next version; Study.design_hash follows it. The
    caller holds the study row's lock (the lock UPDATE or select_for_update)."""
    document = design_document(study=study)
    sha256 = document_hash(document)
    latest = study.design_versions.aggregate(latest=Max("version"))["latest"] or 0
    version = DesignVersion.objects.create(
        study=study,
        version=latest + 1,
        document=document,
        sha256=sha256,
        effective_at=timezone.now(),
        reason=reason,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    Study.objects.filter(pk=study.pk).update(design_hash=sha256)
    study.design_hash = sha256
    return version


@transaction.atomic
def design_version_current(*, study: Study) -> int:
    """The current design version of a locked study. A study locked before versions were kept
    gets its version 1 recorded now (its lock hash was computed another way; the audit keeps
    it), so call this before changing the design."""
    latest = study.design_versions.aggregate(latest=Max("version"))["latest"]
    if latest is not None:
        return latest
    locked = Study.objects.select_for_update().get(pk=study.pk)  # one backfill, not two
    latest = locked.design_versions.aggregate(latest=Max("version"))["latest"]
    if latest is not None:
        return latest
    previous = locked.design_hash
    version = _version_add(study=study, actor=None, reason="")
    audit_record(
        action="study.design_version_recorded",
        study=study,
        detail={"version": 1, "sha256": version.sha256, "previous_design_hash": previous},
    )
    return version.version


@transaction.atomic
def design_lock(*, study: Study) -> int:
    """Freeze the design at the first enrolment as version 1; returns the design version in
    force, which the enrolling participant runs under. Later calls only return it."""
    if study.design_locked_at is None:
        now = timezone.now()
        # The UPDATE takes the study row's lock: a concurrent design edit waits for this
        # enrolment, so the document read below is the design the lock freezes.
        updated = Study.objects.filter(pk=study.pk, design_locked_at__isnull=True).update(
            design_locked_at=now
        )
        if updated:
            study.refresh_from_db()  # the study's own fields as they are under the lock
            version = _version_add(study=study, actor=None, reason="")
            audit_record(
                action="study.design_locked",
                study=study,
                detail={"design_hash": version.sha256, "version": version.version},
            )
            return version.version
        study.refresh_from_db(fields=["design_locked_at", "design_hash"])
    return design_version_current(study=study)


@transaction.atomic
def design_version_amend(*, study: Study, actor: Actor, reason: str) -> DesignVersion:
    """Record the amended design of a locked study as the next version (the amendment service
    has changed it, under the study row's lock, and checked the reason)."""
    return _version_add(study=study, actor=actor, reason=reason)
