"""The export bundle of DATA.md: all tables as CSV (+ trials as Parquet), the codebook with the
study's own codes, and manifest.json (design hash, row counts, sha256 per file, versions).

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

from .codebook import study_codebook
from .csv_rows import csv_cell, csv_lines
from .parquet import HashingWriter, write_parquet

CODEBOOK_VERSION = "1"


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


def bundle_write(
    *,
    study: Study,
    spec: allocation.DesignSpec,
    handle: BinaryIO,
    allocation_slots: int | None = None,
) -> dict[str, Any]:
    """Write the zip bundle to a binary file handle; returns the manifest. The caller (the
    export service) passes the study's design spec and records the export."""
    if allocation_slots is None:
        allocation_slots = default_allocation_slots(study=study)
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        files = [
            _write_csv(
                bundle, "trials.csv", selectors.TRIALS_COLUMNS, selectors.trial_rows(study=study)
            ),
            write_parquet(bundle, "trials.parquet", selectors.trial_rows(study=study)),
            _write_csv(
                bundle,
                "participants.csv",
                selectors.PARTICIPANTS_COLUMNS,
                selectors.participant_rows(study=study),
            ),
            _write_csv(
                bundle,
                "allocation.csv",
                selectors.ALLOCATION_COLUMNS,
                selectors.allocation_rows(study=study, spec=spec, n_slots=allocation_slots),
            ),
        ]
        codebook = study_codebook(study=study)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(codebook[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: csv_cell(v) for k, v in record.items()} for record in codebook)
        data = buffer.getvalue().encode("utf-8")
        bundle.writestr("codebook.csv", data)
        files.append(
            {
                "file": "codebook.csv",
                "rows": len(codebook),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
        manifest = {
            "study": study.slug,
            "title": study.title,
            "design_hash": study.design_hash,
            "design_locked_at": study.design_locked_at.isoformat()
            if study.design_locked_at
            else None,
            "codebook_version": CODEBOOK_VERSION,
            "files": files,
            "versions": _versions(),
        }
        bundle.writestr("manifest.json", json.dumps(manifest, indent=2))
    return manifest
