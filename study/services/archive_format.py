"""The study archive format, version 1: what study_archive writes and study_restore reads.

One uncompressed tar (PAX) holding ``rows/<app>.<model>.jsonl`` (one JSON object per row,
``{"pk": .., "fields": {..}}``, in primary-key order, foreign keys as the referenced row's
primary key, accounts as their username), ``media/<storage name>`` (every stored file the rows
name) and, as its last member, ``manifest.json`` (format, version, the migrations the database
was at, the accounts named, and the size and sha256 of every other member).

Which models belong to a study is derived from the models themselves: the study and every model
of the app with a chain of foreign keys to it, parents before children. A field or relation the
format has no rule for is refused loudly rather than left out of a backup."""

import datetime
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder

from study.models import Study

FORMAT = "trustlab-study-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ROWS_FOLDER = "rows/"
MEDIA_FOLDER = "media/"
# The app whose schema the rows follow: an archive is restored at the same migrations of it.
SCHEMA_APP = "study"
# Stored files named inside JSON fields rather than by a FileField: (model label, field, key).
MEDIA_IN_JSON = (("study.case", "window_presets", "path"),)
# Unique values that are secrets: a clash is reported by count, never by value.
SECRET_FIELDS = frozenset({"token", "self_enrolment_token"})

_TEXT = frozenset(
    {"CharField", "SlugField", "TextField", "EmailField", "URLField", "GenericIPAddressField"}
)
_INTEGER = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "PositiveBigIntegerField",
    }
)
_OTHER = frozenset(
    {
        "BooleanField",
        "FloatField",
        "JSONField",
        "DateTimeField",
        "DateField",
        "FileField",
        "DecimalField",
        "UUIDField",
    }
)
_SAFE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")


class StudyArchiveError(ValueError):
    """An archive that cannot be written or restored; the message names the problem."""


@dataclass(frozen=True)
class ArchivedModel:
    """A model whose rows of one study go into the archive."""

    model: type[models.Model]
    label: str  # "study.trial"
    study_lookup: str  # the filter from this model to the study: "participant__study"
    parent_field: str | None  # the first foreign key of that chain (None for the study itself)
    references: tuple[models.Field, ...]  # foreign keys to other archived models
    users: tuple[models.Field, ...]  # foreign keys to accounts (stored as usernames)

    @property
    def member(self) -> str:
        return f"{ROWS_FOLDER}{self.label}.jsonl"


def _relations(model: type[models.Model], archived: set[type[models.Model]]) -> tuple:
    user_model = get_user_model()
    label = model._meta.label_lower
    if model._meta.many_to_many:
        names = ", ".join(field.name for field in model._meta.many_to_many)
        raise StudyArchiveError(f"{label}: no archive rule for many-to-many fields ({names})")
    rows, users = [], []
    for field in model._meta.concrete_fields:
        if not field.is_relation:
            if field.get_internal_type() not in _TEXT | _INTEGER | _OTHER:
                raise StudyArchiveError(
                    f"{label}.{field.name}: no archive rule for {field.get_internal_type()}"
                )
        elif field.related_model is user_model:
            users.append(field)
        elif field.related_model in archived and field.related_model is not model:
            rows.append(field)
        else:
            raise StudyArchiveError(
                f"{label}.{field.name}: refers to {field.related_model._meta.label_lower}, "
                "which is not part of a study's archive"
            )
    return tuple(rows), tuple(users)


# Background jobs are not archived: their results (a report, a bundle, a power table) are
# derived from the archived data and made again on the restored study, their inputs are
# deleted once read.
NOT_ARCHIVED = frozenset({"study.job"})


def archive_plan() -> tuple[ArchivedModel, ...]:
    """The study and every model of the app with a foreign-key chain to it (but NOT_ARCHIVED),
    each after the models it refers to (so rows are written, checked and restored parents
    first)."""
    app_models = [
        model
        for model in apps.get_app_config(SCHEMA_APP).get_models()
        if model._meta.label_lower not in NOT_ARCHIVED
    ]
    lookups: dict[type[models.Model], tuple[str, str | None]] = {Study: ("pk", None)}
    found = True
    while found:
        found = False
        for model in app_models:
            if model in lookups:
                continue
            for field in model._meta.concrete_fields:
                if field.is_relation and field.related_model in lookups:
                    parent = lookups[field.related_model][0]
                    path = field.name if parent == "pk" else f"{field.name}__{parent}"
                    lookups[model] = (path, field.name)
                    found = True
                    break
    archived = set(lookups)
    relations = {model: _relations(model, archived) for model in app_models if model in archived}
    ordered: list[type[models.Model]] = []
    while len(ordered) < len(archived):
        ready = [
            model
            for model in app_models
            if model in archived
            and model not in ordered
            and all(field.related_model in ordered for field in relations[model][0])
        ]
        if not ready:
            left = sorted(m._meta.label_lower for m in archived if m not in ordered)
            raise StudyArchiveError(f"the foreign keys of {', '.join(left)} form a cycle")
        ordered.extend(ready[:1])
    return tuple(
        ArchivedModel(
            model=model,
            label=model._meta.label_lower,
            study_lookup=lookups[model][0],
            parent_field=lookups[model][1],
            references=relations[model][0],
            users=relations[model][1],
        )
        for model in ordered
    )


def name_check(name: str, *, what: str) -> str:
    """A member or storage name is a relative path of plain segments: never absolute, never
    '..' or '.', no backslash, nothing outside letters, digits and ._-"""
    if not isinstance(name, str) or not _SAFE_NAME.fullmatch(name):
        raise StudyArchiveError(f"unsafe {what} name {name!r}: not a plain relative path")
    if any(segment in (".", "..") for segment in name.split("/")):
        raise StudyArchiveError(f"unsafe {what} name {name!r}: not a plain relative path")
    return name


def migration_state(*, connection: BaseDatabaseWrapper) -> dict[str, list[str]]:
    """The applied migrations of every app, by app, sorted."""
    state: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        state.setdefault(app, []).append(name)
    return state


# Any: a row value is whatever JSON holds for the field (text, numbers, flags, nested JSON).
def value_encode(field: models.Field, value: Any) -> Any:
    """A field's Python value as JSON (timestamps as ISO 8601 with offset and microseconds)."""
    if value is None:
        return None
    kind = field.get_internal_type()
    if kind == "FileField":
        return value.name or ""
    if kind in ("DateTimeField", "DateField"):
        return value.isoformat()
    if kind in ("DecimalField", "UUIDField"):
        return str(value)
    return value


def _wrong(field: models.Field, expected: str, value: Any) -> StudyArchiveError:
    return StudyArchiveError(f"field '{field.name}': expected {expected}, got {value!r}")


def value_decode(field: models.Field, value: Any) -> Any:  # Any: see value_encode
    """The Python value of a field from its JSON, checked against the field's type."""
    kind = field.get_internal_type()
    if value is None:
        if not field.null:
            raise _wrong(field, "a value", value)
        return None
    if kind in _TEXT or kind == "FileField":
        if not isinstance(value, str):
            raise _wrong(field, "text", value)
        return value
    if kind in _INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _wrong(field, "a whole number", value)
        return value
    if kind == "BooleanField":
        if not isinstance(value, bool):
            raise _wrong(field, "true or false", value)
        return value
    if kind == "FloatField":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _wrong(field, "a number", value)
        return float(value)
    if kind == "JSONField":
        return value
    if not isinstance(value, str):
        raise _wrong(field, "text", value)
    parse = {
        "DateTimeField": datetime.datetime.fromisoformat,
        "DateField": datetime.date.fromisoformat,
        "DecimalField": Decimal,
        "UUIDField": uuid.UUID,
    }[kind]
    try:
        decoded = parse(value)
    except (ValueError, ArithmeticError):
        raise _wrong(field, kind, value) from None
    if kind == "DateTimeField" and decoded.tzinfo is None:
        raise _wrong(field, "a timestamp with its UTC offset", value)
    return decoded


def row_media(archived: ArchivedModel, fields: dict[str, Any]) -> list[str]:
    """The storage names a row refers to (its file fields and the paths of MEDIA_IN_JSON)."""
    names = [
        fields[field.name]
        for field in archived.model._meta.concrete_fields
        if field.get_internal_type() == "FileField" and fields.get(field.name)
    ]
    for label, name, key in MEDIA_IN_JSON:
        if label == archived.label:
            for item in fields.get(name) or []:
                if not isinstance(item, dict) or not isinstance(item.get(key), str):
                    raise StudyArchiveError(f"field '{name}': every item needs a '{key}' name")
                names.append(item[key])
    return names
