"""Backup and restore of one study. study_archive writes everything of a study into one tar of
the documented format (archive_format): the design and its versions, the team by username, the
cases with their advice and stored images, participants with their questionnaires and
withdrawals, trials, responses and the audit log. study_restore (archive_restore) loads such a
tar into a database that does not hold the study.

The archive is read in one transaction (repeatable read on PostgreSQL), so it is one consistent
state of the study; its own audit event, study.archived, is recorded first and is in it."""

import hashlib
import io
import json
import platform
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import IO, Any

import django
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from study.models import Study

from .archive_format import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MEDIA_FOLDER,
    ArchivedModel,
    StudyArchiveError,
    archive_plan,
    migration_state,
    name_check,
    row_media,
    value_encode,
)
from .archive_restore import RestoreSummary, study_restore
from .audit import Actor, audit_record

__all__ = [
    "ArchiveSummary",
    "RestoreSummary",
    "StudyArchiveError",
    "study_archive",
    "study_restore",
]

_SPOOL_BYTES = 16 << 20  # a table's rows stay in memory up to this size, then go to a file


@dataclass(frozen=True)
class ArchiveSummary:
    study: str
    format_version: int
    rows: dict[str, int]  # by model label, e.g. {"study.trial": 2120}
    users: tuple[str, ...]  # the accounts the rows name
    media_files: int
    media_bytes: int
    bytes: int  # of the whole tar
    sha256: str  # of the whole tar


class _HashingWriter:
    def __init__(self, handle: IO[bytes]):
        self.handle, self.sha256, self.bytes = handle, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.handle.write(data)
        self.sha256.update(data)
        self.bytes += len(data)
        return len(data)


class _HashingReader:
    def __init__(self, handle: IO[bytes]):
        self.handle, self.sha256 = handle, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.sha256.update(data)
        return data


class _Usernames:
    """Account ids to usernames, each looked up once."""

    def __init__(self) -> None:
        self.by_id: dict[int, str] = {}

    def __call__(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        if user_id not in self.by_id:
            user = get_user_model()._base_manager.get(pk=user_id)
            self.by_id[user_id] = user.get_username()
        return self.by_id[user_id]


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view: a transaction, at repeatable read on PostgreSQL when it is the
    outermost one (an enrolment committed meanwhile is wholly in or wholly out)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _member(name: str, size: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, mtime, 0o644
    return info


def _software() -> dict[str, str]:
    try:
        trustlab = version("trustlab")
    except PackageNotFoundError:
        trustlab = "unknown"
    return {
        "trustlab": trustlab,
        "django": django.get_version(),
        "python": platform.python_version(),
    }


def _row(
    archived: ArchivedModel, row: Any, keys: dict[str, set], usernames: _Usernames
) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    users = {field.name for field in archived.users}
    for field in archived.model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.name in users:
            fields[field.name] = usernames(getattr(row, field.attname))
        elif field.is_relation:
            value = getattr(row, field.attname)
            if value is not None and value not in keys[field.related_model._meta.label_lower]:
                raise StudyArchiveError(
                    f"{archived.label} {row.pk} refers to {field.related_model._meta.label_lower} "
                    f"{value}, which is not in the archive: the study changed while it was being "
                    "archived; archive it again"
                )
            fields[field.name] = value
        else:
            fields[field.name] = value_encode(field, field.value_from_object(row))
    return {"pk": row.pk, "fields": fields}


def _rows_write(
    tar: tarfile.TarFile,
    archived: ArchivedModel,
    *,
    study: Study,
    keys: dict[str, set],
    usernames: _Usernames,
    media: dict[str, None],
    mtime: int,
) -> dict[str, Any]:
    rows = archived.model._base_manager.filter(**{archived.study_lookup: study.pk}).order_by("pk")
    pks = keys.setdefault(archived.label, set())
    digest, count = hashlib.sha256(), 0
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as spool:
        for row in rows.iterator(chunk_size=2000):
            record = _row(archived, row, keys, usernames)
            for name in row_media(archived, record["fields"]):
                media.setdefault(name_check(name, what="stored file"), None)
            line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
            data = line.encode("utf-8")
            spool.write(data)
            digest.update(data)
            pks.add(row.pk)
            count += 1
        size = spool.tell()
        spool.seek(0)
        tar.addfile(_member(archived.member, size, mtime), spool)
    return {
        "model": archived.label,
        "member": archived.member,
        "rows": count,
        "bytes": size,
        "sha256": digest.hexdigest(),
    }


def _media_write(tar: tarfile.TarFile, names: list[str], mtime: int) -> list[dict[str, Any]]:
    entries = []
    for name in names:
        if not default_storage.exists(name):
            raise StudyArchiveError(
                f"stored file '{name}' is missing from storage: the archive would be incomplete"
            )
        size = default_storage.size(name)
        with default_storage.open(name, "rb") as handle:
            reader = _HashingReader(handle)
            tar.addfile(_member(MEDIA_FOLDER + name, size, mtime), reader)
        entries.append(
            {
                "name": name,
                "member": MEDIA_FOLDER + name,
                "bytes": size,
                "sha256": reader.sha256.hexdigest(),
            }
        )
    return entries


def study_archive(*, study: Study, output: IO[bytes], actor: Actor = None) -> ArchiveSummary:
    """Write the whole study to ``output`` as one tar (archive_format, version 1) and return
    what it holds with the tar's sha256. The audit event study.archived is recorded first, in
    the same transaction, so the archive's audit log ends with its own making."""
    with _snapshot():
        study = Study.objects.get(pk=study.pk)
        audit_record(
            action="study.archived",
            study=study,
            actor=actor,
            detail={"format": FORMAT, "format_version": FORMAT_VERSION},
        )
        written_at = timezone.now()
        mtime = int(written_at.timestamp())
        keys: dict[str, set] = {}
        usernames = _Usernames()
        media: dict[str, None] = {}  # the stored files the rows name, in first-named order
        hashing = _HashingWriter(output)
        with tarfile.open(fileobj=hashing, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            tables = [
                _rows_write(
                    tar,
                    archived,
                    study=study,
                    keys=keys,
                    usernames=usernames,
                    media=media,
                    mtime=mtime,
                )
                for archived in archive_plan()
            ]
            files = _media_write(tar, list(media), mtime)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "study": study.slug,
                "written_at": written_at.isoformat(),
                "software": _software(),
                "database": connection.vendor,
                "migrations": migration_state(connection=connection),
                "users": sorted(set(usernames.by_id.values())),
                "tables": tables,
                "media": files,
            }
            data = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")
            tar.addfile(_member(MANIFEST, len(data), mtime), io.BytesIO(data))
    return ArchiveSummary(
        study=study.slug,
        format_version=FORMAT_VERSION,
        rows={table["model"]: table["rows"] for table in tables},
        users=tuple(manifest["users"]),
        media_files=len(files),
        media_bytes=sum(entry["bytes"] for entry in files),
        bytes=hashing.bytes,
        sha256=hashing.sha256.hexdigest(),
    )
