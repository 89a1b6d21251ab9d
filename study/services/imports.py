"""Bulk case import from a zip of DICOM files plus manifest.csv or manifest.json.

Batch rule: a manifest with any problem imports nothing (every problem is reported by row and
column). With a valid manifest, each case is imported or refused on its own, in its own
transaction: a broken or identifying image refuses only its case. Every file in the archive gets
an outcome. Archives are read in memory; nothing of the original upload is written anywhere."""

import zipfile
from dataclasses import dataclass, field
from typing import IO

from django.db import transaction

from study.core import imaging
from study.core.manifest import ManifestError, ManifestProblem, manifest_parse
from study.models import Study

from .audit import Actor, audit_record
from .cases import AdviceInput, CaseInput, case_create, imaging_uid_secret
from .studies import StudyStateError

MAX_MEMBERS = 5000
MAX_MEMBER_BYTES = 512 * 1024 * 1024  # one DICOM file, uncompressed
MAX_TOTAL_BYTES = 20 * 1024 * 1024 * 1024
MANIFEST_NAMES = ("manifest.csv", "manifest.json")


class ArchiveError(ValueError):
    """The upload is not a usable archive; nothing was imported."""


@dataclass(frozen=True)
class FileOutcome:
    file: str
    case: str
    status: str  # imported | needs_review | refused | ignored
    message: str


@dataclass
class ImportReport:
    outcomes: list[FileOutcome] = field(default_factory=list)
    manifest_problems: list[ManifestProblem] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return sum(o.status in ("imported", "needs_review") for o in self.outcomes)

    @property
    def refused(self) -> int:
        return sum(o.status == "refused" for o in self.outcomes)

    @property
    def ok(self) -> bool:
        return not self.manifest_problems


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos = [info for info in archive.infolist() if not info.is_dir()]
    infos = [i for i in infos if not i.filename.startswith("__MACOSX/")]
    if len(infos) > MAX_MEMBERS:
        raise ArchiveError(f"the archive holds {len(infos)} files; at most {MAX_MEMBERS} allowed")
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_BYTES:
        raise ArchiveError("the archive unpacks to more than 20 GB")
    # A single top-level folder (as made by zipping a directory) is looked through.
    prefixes = {info.filename.split("/", 1)[0] for info in infos if "/" in info.filename}
    strip = ""
    if len(prefixes) == 1 and all("/" in info.filename for info in infos):
        strip = prefixes.pop() + "/"
    return {info.filename[len(strip) :]: info for info in infos}


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > MAX_MEMBER_BYTES:
        raise imaging.DicomError(
            filename=info.filename, code="too_large", reason="the file is larger than 512 MB"
        )
    with archive.open(info) as handle:
        data = handle.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise imaging.DicomError(
            filename=info.filename, code="too_large", reason="the file is larger than 512 MB"
        )
    return data


def _annotation_problem(annotation: dict | None, width: int, height: int) -> str | None:
    if annotation is None:
        return None
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


def cases_import(*, study: Study, archive: IO[bytes], actor: Actor = None) -> ImportReport:
    if study.status != Study.Status.DRAFT:
        # After opening, a new case could reach participants before its burned-in review.
        raise StudyStateError(
            f"Study '{study.slug}' is {study.status}: "
            "cases can be imported only while it is a draft."
        )
    try:
        zipped = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as error:
        raise ArchiveError(f"the upload is not a zip archive ({error})") from error
    with zipped:
        members = _members(zipped)
        manifests = [name for name in members if name in MANIFEST_NAMES]
        if len(manifests) != 1:
            raise ArchiveError(
                "the archive must hold exactly one manifest.csv or manifest.json at its top level"
                + (f" (found {', '.join(manifests)})" if manifests else "")
            )
        manifest_name = manifests[0]
        report = ImportReport()
        try:
            rows = manifest_parse(
                name=manifest_name,
                data=zipped.read(members[manifest_name]),
                diagnoses=set(study.diagnoses.values_list("code", flat=True)),
                images=set(members) - {manifest_name},
            )
        except ManifestError as error:
            report.manifest_problems = error.problems
            return report
        existing = set(study.cases.values_list("code", flat=True))
        clashes = [
            ManifestProblem(row.row, "case", f"'{row.case}' already exists in this study")
            for row in rows
            if row.case in existing
        ]
        if clashes:
            report.manifest_problems = clashes
            return report
        uid_secret = imaging_uid_secret()
        next_position = (
            study.cases.order_by("-position").values_list("position", flat=True).first() or 0
        ) + 1
        for offset, row in enumerate(rows):
            report.outcomes.append(
                _case_import(
                    study=study,
                    row=row,
                    data_reader=lambda info=members[row.image]: _read(zipped, info),
                    uid_secret=uid_secret,
                    position=next_position + offset,
                )
            )
        used = {row.image for row in rows} | {manifest_name}
        report.outcomes += [
            FileOutcome(name, "", "ignored", "not named in the manifest")
            for name in sorted(set(members) - used)
        ]
    audit_record(
        action="cases.import",
        study=study,
        actor=actor,
        detail={"imported": report.imported, "refused": report.refused},
    )
    return report


def _case_import(*, study, row, data_reader, uid_secret: bytes, position: int) -> FileOutcome:
    try:
        processed = imaging.dicom_process(data_reader(), filename=row.image, uid_secret=uid_secret)
    except imaging.DicomError as error:
        return FileOutcome(row.image, row.case, "refused", error.reason)
    problem = _annotation_problem(row.annotation, processed.width, processed.height)
    if problem:
        return FileOutcome(row.image, row.case, "refused", problem)
    with transaction.atomic():
        case_create(
            study=study,
            case_input=CaseInput(
                code=row.case,
                vignette=row.vignette,
                reference_diagnosis=row.reference_diagnosis,
                accurate=AdviceInput(
                    row.accurate_advice,
                    row.accurate_diagnosis,
                    row.annotation,
                    row.displayed_confidence,
                ),
                inaccurate=AdviceInput(
                    row.inaccurate_advice,
                    row.inaccurate_diagnosis,
                    row.annotation,
                    row.displayed_confidence,
                ),
                is_training=row.training,
                position=position,
            ),
            processed=processed,
        )
    if processed.needs_review:
        return FileOutcome(
            row.image,
            row.case,
            "needs_review",
            "imported; BurnedInAnnotation is absent, so a researcher must look at the image "
            "and confirm it shows no identifying text before the study can open",
        )
    return FileOutcome(row.image, row.case, "imported", "imported")
