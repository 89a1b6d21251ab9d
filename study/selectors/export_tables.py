"""The export's reference tables (DATA.md, codebook version 2): cases (what each advice variant
said and showed), the audit log, and every design version.

Streamed in chunks like the trial rows; nothing here ever carries an invitation token."""

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from study.models import Advice, AuditEvent, DesignVersion, Study

from .export_rows import ExportRow, iso_utc

CASES_COLUMNS = (
    "case",
    "variant",
    "is_training",
    "vignette",
    "reference_diagnosis",
    "advised_diagnosis",
    "advice_text",
    "annotation",
    "displayed_confidence",
    "image_sha256",
)
AUDIT_COLUMNS = ("at", "actor", "action", "detail")


def _file_sha256(field) -> str | None:
    if not field:
        return None
    digest = hashlib.sha256()
    with field.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def case_rows(*, study: Study) -> Iterator[ExportRow]:
    """One row per case x advice variant; image_sha256 is of the rendered image participants
    saw (the display rendering)."""
    advice = (
        Advice.objects.filter(case__study=study)
        .select_related("case")
        .order_by("case__is_training", "case__position", "case__code", "variant")
    )
    hashes: dict[int, str | None] = {}
    for item in advice.iterator(chunk_size=500):
        case = item.case
        if case.pk not in hashes:
            hashes[case.pk] = _file_sha256(case.display_image)
        yield {
            "case": case.code,
            "variant": item.variant,
            "is_training": case.is_training,
            "vignette": case.vignette,
            "reference_diagnosis": case.reference_diagnosis,
            "advised_diagnosis": item.diagnosis,
            "advice_text": item.findings,
            "annotation": json.dumps(item.annotation, sort_keys=True) if item.annotation else None,
            "displayed_confidence": item.displayed_confidence,
            "image_sha256": hashes[case.pk],
        }


def _actor(event: AuditEvent) -> str:
    if event.actor is not None:
        return event.actor.get_username()
    if event.participant_public_id:
        return f"participant:{event.participant_public_id}"
    return "system"


def audit_rows(*, study: Study) -> Iterator[ExportRow]:
    """The study's audit events, oldest first."""
    events = (
        AuditEvent.objects.filter(study=study).select_related("actor").order_by("created_at", "id")
    )
    for event in events.iterator(chunk_size=2000):
        yield {
            "at": iso_utc(event.created_at),
            "actor": _actor(event),
            "action": event.action,
            "detail": json.dumps(event.detail, sort_keys=True, ensure_ascii=False),
        }


def design_version_records(*, study: Study) -> list[dict[str, Any]]:
    """Every design version: its canonical document, sha256, when it took effect and why."""
    return [
        {
            "version": version.version,
            "sha256": version.sha256,
            "effective_at": iso_utc(version.effective_at),
            "reason": version.reason,
            "document": version.document,
        }
        for version in DesignVersion.objects.filter(study=study).order_by("version")
    ]
