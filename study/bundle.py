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

import pyarrow as pa
import pyarrow.parquet as pq

from analysis.data import CODEBOOK, codebook_frame
from study import exports, selectors
from study.models import Study

CODEBOOK_VERSION = "1"
_ARROW_TYPES = {
    "str": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "datetime": pa.timestamp("us", tz="UTC"),
}
_BATCH = 5000


class _HashingWriter(io.RawIOBase):
    """Counts and hashes what passes through to a zip member."""

    def __init__(self, target):
        self.target = target
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        data = bytes(data)
        self.sha256.update(data)
        self.size += len(data)
        self.target.write(data)
        return len(data)


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
        writer = _HashingWriter(member)
        for line in exports.csv_lines(columns, rows):
            writer.write(line.encode("utf-8"))
            count += 1
    return {"file": name, "rows": count, "sha256": writer.sha256.hexdigest()}


def _trials_schema() -> pa.Schema:
    return pa.schema([(spec.name, _ARROW_TYPES[spec.type]) for spec in CODEBOOK])


def _write_parquet(bundle: zipfile.ZipFile, name: str, rows: Iterable[dict]) -> dict:
    schema = _trials_schema()
    count = 0
    with bundle.open(name, "w") as member:
        sink = _HashingWriter(member)
        with pq.ParquetWriter(sink, schema) as writer:
            batch: list[dict] = []
            for row in rows:
                batch.append(row)
                if len(batch) == _BATCH:
                    writer.write_table(_table(batch, schema))
                    count += len(batch)
                    batch = []
            if batch or count == 0:
                writer.write_table(_table(batch, schema))
                count += len(batch)
    return {"file": name, "rows": count, "sha256": sink.sha256.hexdigest()}


def _table(batch: list[dict], schema: pa.Schema) -> pa.Table:
    columns = {}
    for field in schema:
        values = [row[field.name] for row in batch]
        if pa.types.is_timestamp(field.type):
            columns[field.name] = pa.array(
                [v.replace("Z", "+00:00") if v else None for v in values], pa.string()
            ).cast(pa.timestamp("us", tz="UTC"))
        else:
            columns[field.name] = pa.array(values, field.type)
    return pa.table(columns, schema=schema)


def study_codebook(*, study: Study) -> list[dict]:
    """DATA.md's codebook with this study's own codes filled in."""
    frame = codebook_frame(
        rating_range=(1, study.rating_scale_max), confidence_range=(1, study.confidence_scale_max)
    )
    diagnoses = ";".join(study.diagnoses.values_list("code", flat=True))
    own = {
        "study": study.slug,
        "stratum": ";".join(sorted(set(study.stratum_map.values()))),
        "specialty": ";".join(sorted(study.stratum_map)),
        "arm": ";".join(study.arms.values_list("code", flat=True)),
        "case": ";".join(study.cases.values_list("code", flat=True)),
        "advised_diagnosis": diagnoses,
        "reference_diagnosis": diagnoses,
        "unaided_diagnosis": diagnoses,
        "final_diagnosis": diagnoses,
    }
    records = frame.to_dict("records")
    for record in records:
        record["codes"] = own.get(record["column"], record["codes"])
    return records


def default_allocation_slots(*, study: Study) -> int:
    """Every slot taken so far in any stratum, plus one block's worth of the next ones."""
    taken = max(study.stratum_counters.values_list("next_slot", flat=True), default=0)
    return max(taken, 1) + 2 * sum(study.arms.values_list("weight", flat=True))


def bundle_write(*, study: Study, handle, allocation_slots: int | None = None) -> dict:
    """Write the zip bundle to a binary file handle; returns the manifest."""
    from study.services import study_design_spec

    spec = study_design_spec(study=study)
    if allocation_slots is None:
        allocation_slots = default_allocation_slots(study=study)
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        files = [
            _write_csv(
                bundle, "trials.csv", selectors.TRIALS_COLUMNS, selectors.trial_rows(study=study)
            ),
            _write_parquet(bundle, "trials.parquet", selectors.trial_rows(study=study)),
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
        writer.writerows({k: exports.csv_cell(v) for k, v in record.items()} for record in codebook)
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
