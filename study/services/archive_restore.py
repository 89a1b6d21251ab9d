"""Restore of one study from an archive (archive_format) into a database that does not hold it.

All of the archive is checked first (archive_reading), then what it would clash with here (the
study's slug, unique values such as participant ids, stored files of the same name but other
content); only then is anything written, in one transaction: accounts, every row exactly as
archived (timestamps included: rows are inserted raw, so no auto_now_add field is re-stamped),
and the stored files, which are deleted again if the transaction fails. Primary keys are kept
where none of a model's is taken here; otherwise that model's rows get new keys and every
reference to them follows.

The restore is recorded in the site's audit log (study.restored, with the study's slug), not in
the study's own: the restored study's history is the archived one, exactly, so its export is
byte for byte the export of the study as it was archived."""

import hashlib
from dataclasses import dataclass
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction

from study.models import Study

from .archive_format import (
    SCHEMA_APP,
    SECRET_FIELDS,
    ArchivedModel,
    StudyArchiveError,
    archive_plan,
    migration_state,
    value_decode,
)
from .archive_reading import ArchiveReader, CheckedRows, rows_check
from .audit import Actor, audit_record

_BATCH = 1000


@dataclass(frozen=True)
class RestoreSummary:
    study: str
    study_id: int
    rows: dict[str, int]  # by model label
    remapped: tuple[str, ...]  # models whose archived primary keys were taken here: new keys
    users_matched: tuple[str, ...]  # accounts found here by username
    users_created: tuple[str, ...]  # accounts created, inactive and without a usable password
    media_written: int
    media_present: int  # already stored here with the same content
    sha256: str  # of the archive


def _migrations_check(manifest: dict[str, Any]) -> None:
    archived = manifest["migrations"].get(SCHEMA_APP, [])
    here = migration_state(connection=connection).get(SCHEMA_APP, [])
    if archived != here:

        def last(names: list[str]) -> str:
            return names[-1] if names else "none"

        raise StudyArchiveError(
            f"the archive was written at {SCHEMA_APP} migration {last(archived)} "
            f"({len(archived)} applied), this database is at {last(here)} ({len(here)} applied): "
            "restore it into a database at the archive's migrations, then migrate"
        )


def _batches(values: list) -> list[list]:
    return [values[start : start + _BATCH] for start in range(0, len(values), _BATCH)]


def _clashes_check(plan: tuple[ArchivedModel, ...], checked: CheckedRows) -> set[str]:
    """Refuse what would clash with this database; return the models whose keys are taken."""
    slug = checked.study["slug"]
    if Study.objects.filter(slug=slug).exists():
        raise StudyArchiveError(
            f"a study with the slug '{slug}' already exists in this database (restore into a "
            "database without it)"
        )
    by_label = {archived.label: archived.model for archived in plan}
    for (label, name), values in checked.unique.items():
        manager = by_label[label]._base_manager
        taken = [
            value
            for batch in _batches(values)
            for value in manager.filter(**{f"{name}__in": batch}).values_list(name, flat=True)
        ]
        if taken:
            shown = (
                f"{len(taken)} of them, not shown"
                if name in SECRET_FIELDS
                else ", ".join(str(value) for value in sorted(taken)[:5])
            )
            raise StudyArchiveError(
                f"{label}.{name} values of the archive already exist in this database ({shown})"
            )
    return {
        archived.label
        for archived in plan
        if any(
            archived.model._base_manager.filter(pk__in=batch).exists()
            for batch in _batches(sorted(checked.keys[archived.label]))
        )
    }


def _stored_sha256(name: str) -> str:
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _media_present(manifest: dict[str, Any]) -> set[str]:
    """Stored files already here with the archived content; another content is refused."""
    present = set()
    for entry in manifest["media"]:
        if default_storage.exists(entry["name"]):
            if _stored_sha256(entry["name"]) != entry["sha256"]:
                raise StudyArchiveError(
                    f"stored file '{entry['name']}' already exists here with other content"
                )
            present.add(entry["name"])
    return present


def _users_ensure(names: list[str]) -> tuple[dict[str, int], list[str], list[str]]:
    user_model = get_user_model()
    field = user_model.USERNAME_FIELD
    found = dict(
        user_model._default_manager.filter(**{f"{field}__in": names}).values_list(field, "pk")
    )
    created = []
    for name in names:
        if name not in found:
            user = user_model(**{field: name, "is_active": False})
            user.set_unusable_password()
            user.save()
            found[name] = user.pk
            created.append(name)
    return found, sorted(set(names) - set(created)), created


def _rows_load(
    reader: ArchiveReader,
    archived: ArchivedModel,
    *,
    keys: dict[str, dict],
    users: dict[str, int],
    remap: bool,
) -> None:
    fields = [f for f in archived.model._meta.concrete_fields if not f.primary_key]
    user_fields = {f.name for f in archived.users}
    new_keys = keys.setdefault(archived.label, {})
    for number, record in reader.rows(archived):
        values: dict[str, Any] = {}
        for field in fields:
            value = record["fields"][field.name]
            if value is not None and field.name in user_fields:
                value = users[value]
            elif value is not None and field.is_relation:
                value = keys[field.related_model._meta.label_lower][value]
            elif not field.is_relation:
                value = value_decode(field, value)
            values[field.attname] = value
        row = archived.model(**values)
        if not remap:
            row.pk = record["pk"]
        try:
            # raw: saved as archived, as loaddata does (no field's pre_save, no auto_now_add)
            row.save_base(raw=True, force_insert=True)
        except DatabaseError as error:
            raise StudyArchiveError(
                f"{archived.member} line {number}: the database refused the row ({error})"
            ) from error
        new_keys[record["pk"]] = row.pk


def _sequences_reset(model_list: list[type[models.Model]]) -> None:
    """After rows with their own keys, the next new row must not take one (PostgreSQL)."""
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _media_load(reader: ArchiveReader, manifest: dict[str, Any], present: set, written: list):
    for entry in manifest["media"]:
        if entry["name"] in present:
            continue
        content = File(reader.media_open(entry["name"]), name=entry["name"])
        content.size = entry["bytes"]
        saved = default_storage.save(entry["name"], content)
        written.append(saved)
        if saved != entry["name"]:
            raise StudyArchiveError(
                f"stored file '{entry['name']}' appeared here during the restore"
            )


def study_restore(*, source: IO[bytes], actor: Actor = None) -> RestoreSummary:
    """Check the whole archive on the seekable binary ``source``, then load it in one
    transaction; an StudyArchiveError names what is wrong and nothing is left written."""
    reader = ArchiveReader(source)
    reader.members_check()
    manifest = reader.manifest
    _migrations_check(manifest)
    plan = archive_plan()
    checked = rows_check(reader, plan)
    written: list[str] = []
    try:
        with transaction.atomic():
            # Checked inside the transaction: a clash the checks miss fails the insert instead.
            remapped = _clashes_check(plan, checked)
            present = _media_present(manifest)
            users, matched, created = _users_ensure(list(manifest["users"]))
            keys: dict[str, dict] = {}
            for archived in plan:
                remap = archived.label in remapped
                _rows_load(reader, archived, keys=keys, users=users, remap=remap)
            _sequences_reset([a.model for a in plan if a.label not in remapped])
            _media_load(reader, manifest, present, written)
            (study_id,) = keys[plan[0].label].values()
            summary = RestoreSummary(
                study=checked.study["slug"],
                study_id=study_id,
                rows=dict(checked.counts),
                remapped=tuple(a.label for a in plan if a.label in remapped),
                users_matched=tuple(matched),
                users_created=tuple(created),
                media_written=len(written),
                media_present=len(present),
                sha256=reader.sha256,
            )
            audit_record(
                action="study.restored",
                actor=actor,
                detail={
                    "study": summary.study,
                    "study_id": study_id,
                    "archive_sha256": reader.sha256,
                    "archive_written_at": manifest["written_at"],
                    "format_version": manifest["format_version"],
                    "rows": summary.rows,
                    "remapped": list(summary.remapped),
                    "users_created": list(created),
                    "media_written": len(written),
                },
            )
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    return summary
