"""The export bundle of DATA.md (codebook version 2): every table (trials, participants,
allocation, cases, audit) as CSV and Parquet, design.json with every design version, the
codebook with the study's own codes, and manifest.json (study, codebook version, every design
version's hash, row counts, sha256 per file, software versions).

Rows are streamed from the database in chunks into the zip: memory stays constant."""

import csv
import hashlib
import io
import json
import platform
import zipfile
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from typing import Any, BinaryIO

from study import selectors
from study.core import allocation
from study.models import Study
from study.selectors.export_rows import free_text_columns, participants_columns

from .codebook import (
    ALLOCATION_TYPES,
    AUDIT_TYPES,
    CASES_TYPES,
    participant_types,
    study_codebook,
)
from .csv_rows import csv_cell, csv_lines
from .parquet import HashingWriter, parquet_stream, schema_of, trials_schema, write_parquet

CODEBOOK_VERSION = "2"


def _versions() -> dict:
    found = {"python": platform.python_version()}
    for package in ("trustlab", "Django", "pandas", "pyarrow", "numpy"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    return found


def _write_csv(bundle: zipfile.ZipFile, name: str, columns, rows: Iterable[dict]) -> dict:
    count = -1
    with bundle.open(name, "w") as member:
        writer = HashingWriter(member)
        for line in csv_lines(columns, rows):
            writer.write(line.encode("utf-8"))
            count += 1
    return {"file": name, "rows": count, "sha256": writer.sha256.hexdigest()}


def default_allocation_slots(*, study: Study) -> int:
    """Every slot taken so far in any stratum, plus one block's worth of the next ones."""
    taken = max(study.stratum_counters.values_list("next_slot", flat=True), default=0)
    return max(taken, 1) + 2 * sum(study.arms.values_list("weight", flat=True))


def table_schema(table: str, *, study: Study, free_text: bool = True):
    """The Parquet schema of one of the study's export tables (trials, participants, allocation,
    cases, audit): the participants table has the study's own questionnaire columns (the
    free-text ones only with ``free_text``)."""
    return {
        "trials": trials_schema,
        "participants": lambda: schema_of(participant_types(study=study, free_text=free_text)),
        "allocation": lambda: schema_of(ALLOCATION_TYPES),
        "cases": lambda: schema_of(CASES_TYPES),
        "audit": lambda: schema_of(AUDIT_TYPES),
    }[table]()


def parquet_table_write(
    *, handle: BinaryIO, table: str, rows: Iterable[dict], study: Study, free_text: bool = True
) -> int:
    """One of the study's export tables as a Parquet file on ``handle``; returns the row count."""
    schema = table_schema(table, study=study, free_text=free_text)
    return parquet_stream(HashingWriter(handle), rows, schema)


def _write_bytes(bundle: zipfile.ZipFile, name: str, data: bytes, rows: int) -> dict:
    bundle.writestr(name, data)
    return {"file": name, "rows": rows, "sha256": hashlib.sha256(data).hexdigest()}


def bundle_write(
    *,
    study: Study,
    spec: allocation.DesignSpec,
    handle: BinaryIO,
    allocation_slots: int | None = None,
    include_synthetic: bool = False,
    design_versions: list[dict[str, Any]] | None = None,
    free_text: bool = True,
) -> dict[str, Any]:
    """Write the zip bundle to a binary file handle; returns the manifest. The caller (the
    export service) passes the study's design spec and its design versions (each with version,
    sha256, effective_at, reason, document), whether free-text answers go in (the manifest
    names the columns left out without them) and records the export."""
    if allocation_slots is None:
        allocation_slots = default_allocation_slots(study=study)
    versions = design_versions or []
    tables = [
        (
            "trials",
            selectors.TRIALS_COLUMNS,
            lambda: selectors.trial_rows(study=study, include_synthetic=include_synthetic),
        ),
        (
            "participants",
            participants_columns(study=study, free_text=free_text),
            lambda: selectors.participant_rows(
                study=study, include_synthetic=include_synthetic, free_text=free_text
            ),
        ),
        (
            "allocation",
            selectors.ALLOCATION_COLUMNS,
            lambda: selectors.allocation_rows(study=study, spec=spec, n_slots=allocation_slots),
        ),
        ("cases", selectors.CASES_COLUMNS, lambda: selectors.case_rows(study=study)),
        ("audit", selectors.AUDIT_COLUMNS, lambda: selectors.audit_rows(study=study)),
    ]
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        files = []
        for name, columns, rows in tables:
            files.append(_write_csv(bundle, f"{name}.csv", columns, rows()))
            schema = table_schema(name, study=study, free_text=free_text)
            files.append(write_parquet(bundle, f"{name}.parquet", rows(), schema))
        design = json.dumps(
            {"study": study.slug, "versions": versions}, indent=2, sort_keys=True
        ).encode("utf-8")
        files.append(_write_bytes(bundle, "design.json", design, len(versions)))
        codebook = study_codebook(study=study, free_text=free_text)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(codebook[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: csv_cell(v) for k, v in record.items()} for record in codebook)
        files.append(
            _write_bytes(bundle, "codebook.csv", buffer.getvalue().encode("utf-8"), len(codebook))
        )
        manifest = {
            "study": study.slug,
            "title": study.title,
            "design_hash": study.design_hash,
            "design_locked_at": study.design_locked_at.isoformat()
            if study.design_locked_at
            else None,
            "design_versions": [
                {key: version[key] for key in ("version", "sha256", "effective_at", "reason")}
                for version in versions
            ],
            "codebook_version": CODEBOOK_VERSION,
            "include_synthetic": include_synthetic,
            "free_text": free_text,
            "free_text_withheld": [] if free_text else list(free_text_columns(study=study)),
            "files": files,
            "versions": _versions(),
        }
        bundle.writestr("manifest.json", json.dumps(manifest, indent=2))
    return manifest
