"""Bulk case import from a zip of DICOM files plus manifest.csv or manifest.json.

All or report: either every case of the manifest is stored, in one transaction, or nothing is and
the report says why. A manifest with any problem is reported by row and column; with a valid
manifest every image is vetted and every file in the archive gets an outcome; one refused image
refuses the import. Archives are read in memory (study.core.imaging.archive); nothing of the
original upload is written anywhere."""

import csv
import io
import json
import math
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.db import transaction

from study.core import imaging
from study.core.imaging.archive import ArchiveError, ArchiveLimits, CaseArchive, MemberError
from study.core.manifest import ManifestError, ManifestProblem, ManifestRow, manifest_parse
from study.models import Case, Study
from study.selectors.texts import site_languages

from .audit import Actor, audit_record
from .cases import (
    AdviceInput,
    CaseInput,
    ImageStoreError,
    StoredImage,
    case_create,
    case_image_store,
    case_images_discard,
    imaging_uid_secret,
)
from .studies import StudyStateError

__all__ = ["ArchiveError", "FileOutcome", "ImageStoreError", "ImportReport", "cases_import"]

MANIFEST_NAMES = ("manifest.csv", "manifest.json")
PROBLEMS_LISTED = 100  # a report lists this many problems and counts the rest
CASE_CODE_MAX = Case._meta.get_field("code").max_length
TEXT_COLUMNS = ("case", "image", "vignette", "accurate_advice", "inaccurate_advice", "feedback")


@dataclass(frozen=True)
class FileOutcome:
    file: str
    case: str
    status: str  # imported | needs_review | refused | not_imported | ignored
    message: str


@dataclass
class ImportReport:
    outcomes: list[FileOutcome] = field(default_factory=list)
    manifest_problems: list[ManifestProblem] = field(default_factory=list)  # the first listed
    problems_not_listed: int = 0
    stored: bool = False  # True: every case of the manifest is stored; False: none is

    @property
    def problem_count(self) -> int:
        return len(self.manifest_problems) + self.problems_not_listed

    @property
    def imported(self) -> int:
        return sum(o.status in ("imported", "needs_review") for o in self.outcomes)

    @property
    def refused(self) -> int:
        return sum(o.status == "refused" for o in self.outcomes)

    @property
    def ok(self) -> bool:
        return self.stored

    def problems_set(self, problems: list[ManifestProblem]) -> None:
        self.manifest_problems = problems[:PROBLEMS_LISTED]
        self.problems_not_listed = max(len(problems) - PROBLEMS_LISTED, 0)


def _limits() -> ArchiveLimits:
    members = settings.CASE_IMPORT_MAX_FILES
    # About 1 KB of file list per file at most (a name, its extra fields and comment).
    directory = max(ArchiveLimits.max_directory_bytes, members * 1024)
    return ArchiveLimits(max_members=members, max_directory_bytes=directory)


def _annotation_problem(annotation: dict | None, width: int, height: int) -> str | None:
    if annotation is None:
        return None
    values = [value for key, value in annotation.items() if key != "type"]
    if any(isinstance(value, float) and not math.isfinite(value) for value in values):
        return "the annotation holds a number that is not finite"
    if annotation["type"] == "box":
        right, bottom = (
            annotation["x"] + annotation["width"],
            annotation["y"] + annotation["height"],
        )
    else:
        right = max(annotation["x1"], annotation["x2"])
        bottom = max(annotation["y1"], annotation["y2"])
    if right > width or bottom > height:
        return f"the annotation reaches beyond the {width} x {height} image"
    return None


def _annotations_problem(row: ManifestRow, width: int, height: int) -> str | None:
    """The first variant whose annotation does not fit the image, said with its variant when
    the two variants' annotations differ."""
    if row.accurate_annotation == row.inaccurate_annotation:
        return _annotation_problem(row.accurate_annotation, width, height)
    for variant in ("accurate", "inaccurate"):
        problem = _annotation_problem(getattr(row, f"{variant}_annotation"), width, height)
        if problem:
            return f"{variant} advice: {problem}"
    return None


def _manifest_row_count(name: str, data: bytes) -> int | None:
    """How many cases the manifest lists, counted cheaply before it is checked row by row;
    None when it cannot be read (manifest_parse then says why)."""
    try:
        text = data.decode("utf-8-sig")
        if name.endswith(".json"):
            records = json.loads(text)
            if isinstance(records, dict):
                records = records.get("cases")
            return len(records) if isinstance(records, list) else None
        return max(sum(1 for record in csv.reader(io.StringIO(text)) if record) - 1, 0)
    except (UnicodeDecodeError, ValueError, RecursionError, csv.Error):
        return None


def _manifest_rows(
    *, study: Study, archive: CaseArchive, name: str
) -> tuple[list[ManifestRow], list[ManifestProblem]]:
    max_bytes, max_rows = settings.CASE_MANIFEST_MAX_BYTES, settings.CASE_MANIFEST_MAX_ROWS
    try:
        data = archive.read(name, limit=max_bytes)
    except MemberError as error:
        return [], [ManifestProblem(None, None, str(error))]
    count = _manifest_row_count(name, data)
    if count is not None and count > max_rows:
        return [], [
            ManifestProblem(
                None, None, f"{name} lists {count} cases; at most {max_rows} in one import"
            )
        ]
    try:
        rows = manifest_parse(
            name=name,
            data=data,
            diagnoses=set(study.diagnoses.values_list("code", flat=True)),
            images=set(archive.names) - {name},
            # Translated columns may give any site language but the study's own.
            languages=set(site_languages()) - {study.language},
        )
    except ManifestError as error:
        return [], error.problems
    except RecursionError:
        return [], [ManifestProblem(None, None, f"{name} nests JSON too deeply to be read")]
    except csv.Error as error:  # a cell over csv.field_size_limit(), a NUL byte, ...
        return [], [ManifestProblem(None, None, f"{name} is not readable CSV ({error})")]
    problems = _rows_check(rows)
    if problems:
        return [], problems
    existing = set(study.cases.values_list("code", flat=True))
    clashes = [
        ManifestProblem(row.row, "case", f"'{row.case}' already exists in this study")
        for row in rows
        if row.case in existing
    ]
    return ([], clashes) if clashes else (rows, [])


def _rows_check(rows: list[ManifestRow]) -> list[ManifestProblem]:
    """What the database would refuse (with an error, not a message): long codes, NUL bytes."""
    problems = []
    for row in rows:
        if len(row.case) > CASE_CODE_MAX:
            problems.append(
                ManifestProblem(row.row, "case", f"is longer than {CASE_CODE_MAX} characters")
            )
        for column in TEXT_COLUMNS:
            if "\x00" in getattr(row, column):
                problems.append(ManifestProblem(row.row, column, "holds a NUL character"))
        for column, text in _translated_texts(row):
            if "\x00" in text:
                problems.append(ManifestProblem(row.row, column, "holds a NUL character"))
    return problems


def _translated_texts(row: ManifestRow) -> list[tuple[str, str]]:
    """(column, text) of a row's translated texts, as the manifest named them."""
    texts = [
        (f"{name}_{language}", text)
        for language, given in row.translations.items()
        for name, text in given.items()
    ]
    for variant in ("accurate", "inaccurate"):
        for language, given in getattr(row, f"{variant}_translations").items():
            texts.append((f"{variant}_findings_{language}", given["findings"]))
    return texts


def _require_draft(study: Study) -> None:
    if study.status != Study.Status.DRAFT:
        # After opening, a new case could reach participants before its burned-in review.
        raise StudyStateError(
            f"Study '{study.slug}' is {study.status}: "
            "cases can be imported only while it is a draft."
        )


def _manifest_name(archive: CaseArchive) -> str:
    manifests = [name for name in archive.names if name in MANIFEST_NAMES]
    if len(manifests) != 1:
        raise ArchiveError(
            "the archive must hold exactly one manifest.csv or manifest.json at its top level"
            + (f" (found {', '.join(manifests)})" if manifests else "")
        )
    return manifests[0]


def cases_import(*, study: Study, archive: IO[bytes], actor: Actor = None) -> ImportReport:
    """Import every case of the archive's manifest, or none; ArchiveError for an archive that
    cannot be read as a whole, StudyStateError once the study is no longer a draft,
    ImageStoreError when the image store refuses a write (nothing is kept, and the refusal is
    audited)."""
    _require_draft(study)
    report = ImportReport()
    with CaseArchive(archive, _limits()) as zipped:
        manifest_name = _manifest_name(zipped)
        rows, problems = _manifest_rows(study=study, archive=zipped, name=manifest_name)
        if problems:
            report.problems_set(problems)
            return _refused(study=study, report=report, actor=actor)
        images: list[StoredImage] = []
        try:
            outcomes = _images_vet(archive=zipped, rows=rows, images=images)
            used = {row.image for row in rows} | {manifest_name}
            ignored = [
                FileOutcome(name, "", "ignored", "not named in the manifest")
                for name in sorted(set(zipped.names) - used)
            ]
            refused = sum(outcome.status == "refused" for outcome in outcomes)
            if refused:
                case_images_discard(images=images)
                report.outcomes = [_held_back(o, refused) for o in outcomes] + ignored
                return _refused(study=study, report=report, actor=actor)
            problems = _cases_store(study=study, rows=rows, images=images, actor=actor)
        except ImageStoreError as error:
            case_images_discard(images=images)
            audit_record(
                action="cases.import_refused",
                study=study,
                actor=actor,
                detail={"problems": 0, "refused": 0, "image_store": str(error)},
            )
            raise
        except BaseException:
            case_images_discard(images=images)
            raise
        if problems:
            case_images_discard(images=images)
            report.problems_set(problems)
            return _refused(study=study, report=report, actor=actor)
        report.outcomes = outcomes + ignored
        report.stored = True
    return report


def _refused(*, study: Study, report: ImportReport, actor: Actor) -> ImportReport:
    audit_record(
        action="cases.import_refused",
        study=study,
        actor=actor,
        detail={"problems": report.problem_count, "refused": report.refused},
    )
    return report


def _held_back(outcome: FileOutcome, refused: int) -> FileOutcome:
    if outcome.status == "refused":
        return outcome
    review = (
        " (it will need a review for burned-in text)" if outcome.status == "needs_review" else ""
    )
    return FileOutcome(
        outcome.file,
        outcome.case,
        "not_imported",
        f"acceptable{review}, but nothing was imported: {refused} file"
        f"{'s were' if refused > 1 else ' was'} refused",
    )


def _images_vet(
    *, archive: CaseArchive, rows: list[ManifestRow], images: list[StoredImage]
) -> list[FileOutcome]:
    """Every row's outcome. Images are stored (appended to `images`) only while no image has
    been refused: after the first refusal the rest are only vetted, for the report."""
    uid_secret = imaging_uid_secret()
    outcomes = []
    for row in rows:
        try:
            processed = imaging.dicom_process(
                archive.read(row.image), filename=row.image, uid_secret=uid_secret
            )
        except MemberError as error:
            outcomes.append(FileOutcome(row.image, row.case, "refused", error.reason))
            continue
        except imaging.DicomError as error:
            outcomes.append(FileOutcome(row.image, row.case, "refused", error.reason))
            continue
        problem = _annotations_problem(row, processed.width, processed.height)
        if problem:
            outcomes.append(FileOutcome(row.image, row.case, "refused", problem))
            continue
        if not any(outcome.status == "refused" for outcome in outcomes):
            images.append(case_image_store(processed=processed))
        if processed.needs_review:
            outcomes.append(
                FileOutcome(
                    row.image,
                    row.case,
                    "needs_review",
                    "imported; BurnedInAnnotation is absent, so a researcher must look at the "
                    "image and confirm it shows no identifying text before the study can open",
                )
            )
        else:
            outcomes.append(FileOutcome(row.image, row.case, "imported", "imported"))
    return outcomes


@transaction.atomic
def _cases_store(
    *, study: Study, rows: list[ManifestRow], images: list[StoredImage], actor: Actor
) -> list[ManifestProblem]:
    """Every case in one transaction, under the study row's lock (so a concurrent import or
    the first enrolment waits); problems found under the lock roll everything back."""
    locked = Study.objects.select_for_update().get(pk=study.pk)
    _require_draft(locked)
    existing = set(locked.cases.values_list("code", flat=True))
    clashes = [
        ManifestProblem(row.row, "case", f"'{row.case}' already exists in this study")
        for row in rows
        if row.case in existing
    ]
    if clashes:
        return clashes
    position = locked.cases.order_by("-position").values_list("position", flat=True).first() or 0
    try:
        for offset, (row, image) in enumerate(zip(rows, images, strict=True), start=1):
            case_create(
                study=locked,
                case_input=_case_input(row, position=position + offset),
                stored=image,
            )
    except ValueError as error:  # e.g. a diagnosis deleted since the manifest was checked
        transaction.set_rollback(True)
        return [ManifestProblem(None, None, str(error))]
    audit_record(
        action="cases.import",
        study=locked,
        actor=actor,
        detail={"imported": len(rows), "refused": 0},
    )
    return []


def _case_input(row: ManifestRow, *, position: int) -> CaseInput:
    return CaseInput(
        code=row.case,
        vignette=row.vignette,
        reference_diagnosis=row.reference_diagnosis,
        accurate=AdviceInput(
            row.accurate_advice,
            row.accurate_diagnosis,
            row.accurate_annotation,
            row.accurate_confidence,
            translations=row.accurate_translations,
        ),
        inaccurate=AdviceInput(
            row.inaccurate_advice,
            row.inaccurate_diagnosis,
            row.inaccurate_annotation,
            row.inaccurate_confidence,
            translations=row.inaccurate_translations,
        ),
        is_training=row.training,
        feedback=row.feedback,
        position=position,
        translations=row.translations,
    )
