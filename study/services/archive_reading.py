"""Reading a study archive (archive_format) and checking all of it before anything is written:
a tar of regular files with plain names, a manifest of this format and version, every member
listed, present once and matching its size and sha256, every row of the right shape, with
values of its fields' types and references to rows, accounts and files the archive holds."""

import hashlib
import json
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from .archive_format import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MEDIA_FOLDER,
    ROWS_FOLDER,
    ArchivedModel,
    StudyArchiveError,
    name_check,
    row_media,
    value_decode,
)

_CHUNK = 1 << 20


def _sha256_of(handle: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: handle.read(_CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _entries(manifest: dict[str, Any], key: str, fields: dict[str, type]) -> list[dict[str, Any]]:
    entries = manifest.get(key)
    if not isinstance(entries, list):
        raise StudyArchiveError(f"manifest.json: '{key}' must be a list")
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or set(entry) != set(fields):
            raise StudyArchiveError(
                f"manifest.json: entry {number} of '{key}' must have exactly "
                f"{', '.join(sorted(fields))}"
            )
        for name, kind in fields.items():
            if isinstance(entry[name], bool) or not isinstance(entry[name], kind):
                raise StudyArchiveError(f"manifest.json: entry {number} of '{key}': bad '{name}'")
    return entries


def manifest_check(manifest: Any) -> dict[str, Any]:  # Any: parsed JSON, checked here
    """The manifest, if it is one of this format and version; the error says what is wrong."""
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise StudyArchiveError(f"not a TrustLab study archive: manifest.json has format {found!r}")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise StudyArchiveError(
            f"archive format version {manifest.get('format_version')!r}: this TrustLab reads "
            f"version {FORMAT_VERSION} only"
        )
    for key, kind in (("study", str), ("written_at", str), ("migrations", dict), ("users", list)):
        if not isinstance(manifest.get(key), kind):
            raise StudyArchiveError(f"manifest.json: '{key}' is missing or of the wrong type")
    if not all(isinstance(name, str) for name in manifest["users"]):
        raise StudyArchiveError("manifest.json: 'users' must be usernames")
    tables = _entries(
        manifest, "tables", {"model": str, "member": str, "rows": int, "bytes": int, "sha256": str}
    )
    media = _entries(manifest, "media", {"name": str, "member": str, "bytes": int, "sha256": str})
    for table in tables:
        if table["member"] != f"{ROWS_FOLDER}{table['model']}.jsonl":
            raise StudyArchiveError(
                f"manifest.json: table {table['model']!r} has member {table['member']!r}"
            )
    for entry in media:
        name_check(entry["name"], what="stored file")
        if entry["member"] != MEDIA_FOLDER + entry["name"]:
            raise StudyArchiveError(
                f"manifest.json: file {entry['name']!r} has member {entry['member']!r}"
            )
    listed = [entry["member"] for entry in (*tables, *media)]
    if len(set(listed)) != len(listed):
        raise StudyArchiveError("manifest.json lists a member twice")
    return manifest


class ArchiveReader:
    """An archive opened from a seekable binary handle, its members and its manifest checked."""

    def __init__(self, source: IO[bytes]):
        source.seek(0)
        self.sha256, self.bytes = _sha256_of(source)
        source.seek(0)
        try:
            # Open for the reader's life; the caller owns the handle, which closes it all.
            self.tar = tarfile.open(fileobj=source, mode="r:*")  # noqa: SIM115
            infos = self.tar.getmembers()
        except (tarfile.TarError, EOFError, OSError):
            raise StudyArchiveError("not a tar archive, or a damaged one") from None
        self.members: dict[str, tarfile.TarInfo] = {}
        for info in infos:
            name_check(info.name, what="member")
            if not info.isfile():
                raise StudyArchiveError(f"member '{info.name}' is not a regular file")
            if info.name in self.members:
                raise StudyArchiveError(f"member '{info.name}' appears twice")
            self.members[info.name] = info
        if MANIFEST not in self.members:
            if _cut_short(source):
                # Cut at a block boundary, a tar reads as complete but shorter: say so rather
                # than call it someone else's archive.
                raise StudyArchiveError(
                    "not a tar archive, or a damaged one: it ends without the end-of-archive "
                    "marker (the file was cut short)"
                )
            raise StudyArchiveError("no manifest.json: not a TrustLab study archive")
        try:
            manifest = json.loads(self._read(MANIFEST))
        except ValueError:
            raise StudyArchiveError("manifest.json is not valid JSON") from None
        self.manifest = manifest_check(manifest)

    def _open(self, name: str) -> IO[bytes]:
        handle = self.tar.extractfile(self.members[name])
        if handle is None:  # members are regular files (checked on opening): never reached
            raise StudyArchiveError(f"member '{name}' is not a regular file")
        return handle

    def _read(self, name: str) -> bytes:
        try:
            return self._open(name).read()
        except (tarfile.TarError, EOFError, OSError) as error:
            raise StudyArchiveError(f"member '{name}' cannot be read ({error})") from None

    def members_check(self) -> None:
        """Every listed member present, nothing unlisted, each of its size and sha256."""
        entries = [*self.manifest["tables"], *self.manifest["media"]]
        listed = {entry["member"] for entry in entries} | {MANIFEST}
        for entry in entries:
            if entry["member"] not in self.members:
                raise StudyArchiveError(f"member '{entry['member']}' (in the manifest) is missing")
        for name in self.members:
            if name not in listed:
                raise StudyArchiveError(f"member '{name}' is not listed in the manifest")
        for entry in entries:
            try:
                sha256, size = _sha256_of(self._open(entry["member"]))
            except (tarfile.TarError, EOFError, OSError) as error:
                raise StudyArchiveError(
                    f"member '{entry['member']}' cannot be read ({error})"
                ) from None
            if (sha256, size) != (entry["sha256"], entry["bytes"]):
                raise StudyArchiveError(
                    f"member '{entry['member']}' is damaged or altered: sha256 {sha256} "
                    f"({size} bytes), the manifest says {entry['sha256']} ({entry['bytes']} bytes)"
                )

    def media_open(self, name: str) -> IO[bytes]:
        return self._open(MEDIA_FOLDER + name)

    def rows(self, archived: ArchivedModel) -> Iterator[tuple[int, dict[str, Any]]]:
        """(line number, record) of each row of a model, the record's shape checked."""
        for number, line in enumerate(self._open(archived.member), start=1):
            where = f"{archived.member} line {number}"
            try:
                record = json.loads(line)
            except ValueError:
                raise StudyArchiveError(f"{where}: not valid JSON") from None
            if (
                not isinstance(record, dict)
                or set(record) != {"pk", "fields"}
                or not isinstance(record["fields"], dict)
            ):
                raise StudyArchiveError(f'{where}: a row is {{"pk": .., "fields": {{..}}}}')
            yield number, record


@dataclass
class CheckedRows:
    """What the rows of an archive hold, found while checking them."""

    keys: dict[str, set] = field(default_factory=dict)  # archived primary keys by model label
    counts: dict[str, int] = field(default_factory=dict)
    unique: dict[tuple[str, str], list] = field(default_factory=dict)  # (label, field): values
    media: set[str] = field(default_factory=set)
    study: dict[str, Any] = field(default_factory=dict)  # the study row's fields


def _field_check(
    archived: ArchivedModel, model_field: Any, value: Any, *, checked: CheckedRows, users: set
) -> None:
    if model_field.name in {f.name for f in archived.users}:
        if value is not None and value not in users:
            raise StudyArchiveError(
                f"field '{model_field.name}': account {value!r} is not in the manifest"
            )
        return
    if model_field.is_relation:
        target = model_field.related_model._meta.label_lower
        if value is None:
            if not model_field.null or model_field.name == archived.parent_field:
                raise StudyArchiveError(f"field '{model_field.name}': expected a {target} row")
        elif value not in checked.keys[target]:
            raise StudyArchiveError(
                f"field '{model_field.name}': {target} {value!r} is not in the archive"
            )
        return
    value_decode(model_field, value)


def rows_check(reader: ArchiveReader, plan: tuple[ArchivedModel, ...]) -> CheckedRows:
    """Every row of every table, parents first, so each reference is checked against rows
    already read. The archive holds exactly one study, the manifest's."""
    labels = [table["model"] for table in reader.manifest["tables"]]
    if labels != [archived.label for archived in plan]:
        raise StudyArchiveError(
            f"the archive's tables ({', '.join(labels)}) are not this TrustLab's "
            f"({', '.join(archived.label for archived in plan)})"
        )
    counts = {table["model"]: table["rows"] for table in reader.manifest["tables"]}
    users = set(reader.manifest["users"])
    checked = CheckedRows()
    for archived in plan:
        fields = [f for f in archived.model._meta.concrete_fields if not f.primary_key]
        names = {f.name for f in fields}
        # A unique reference (a one-to-one) points at a row restored with it: it cannot clash.
        unique = [f for f in fields if f.unique and not f.is_relation]
        keys = checked.keys.setdefault(archived.label, set())
        for number, record in reader.rows(archived):
            where = f"{archived.member} line {number}"
            pk, values = record["pk"], record["fields"]
            if isinstance(pk, bool) or not isinstance(pk, int) or pk in keys:
                raise StudyArchiveError(f"{where}: primary key {pk!r} is not a new whole number")
            if set(values) != names:
                missing, unknown = sorted(names - set(values)), sorted(set(values) - names)
                raise StudyArchiveError(f"{where}: fields missing {missing}, unknown {unknown}")
            try:
                for model_field in fields:
                    _field_check(
                        archived,
                        model_field,
                        values[model_field.name],
                        checked=checked,
                        users=users,
                    )
                checked.media.update(row_media(archived, values))
            except StudyArchiveError as error:
                raise StudyArchiveError(f"{where}: {error}") from None
            for model_field in unique:
                if values[model_field.name] is not None:
                    checked.unique.setdefault((archived.label, model_field.name), []).append(
                        values[model_field.name]
                    )
            keys.add(pk)
            if archived.parent_field is None:
                checked.study = values
        checked.counts[archived.label] = len(keys)
        if len(keys) != counts[archived.label]:
            raise StudyArchiveError(
                f"{archived.member} holds {len(keys)} rows, the manifest says "
                f"{counts[archived.label]}"
            )
    if (
        checked.counts.get(plan[0].label) != 1
        or checked.study.get("slug") != reader.manifest["study"]
    ):
        raise StudyArchiveError(f"the archive must hold one study, '{reader.manifest['study']}'")
    stored = {entry["name"] for entry in reader.manifest["media"]}
    if checked.media != stored:
        missing, unused = sorted(checked.media - stored), sorted(stored - checked.media)
        raise StudyArchiveError(
            f"stored files named by rows but not archived {missing}, unused {unused}"
        )
    return checked


_COMPRESSED = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ")  # gzip, bzip2, xz: read through a decoder


def _cut_short(source: IO[bytes]) -> bool:
    """Whether an uncompressed tar lacks the two zero blocks every complete tar ends with."""
    source.seek(0)
    if source.read(6).startswith(_COMPRESSED):
        return False
    source.seek(0, 2)
    size = source.tell()
    if size < 1024:
        return True
    source.seek(size - 1024)
    return source.read(1024) != bytes(1024)
