"""Exports: the one place that writes an export of a study's data and records it in the audit
log, whether a console page, the API, a task or a management command asked for it."""

from dataclasses import dataclass
from typing import IO, Any, Literal

from django.db import transaction

from study import exports, permissions, selectors
from study.models import Study
from study.selectors.export_rows import participants_columns

from .audit import Actor, audit_record
from .studies import study_design_spec

# The exportable CSV tables: name -> (columns, or a function of the study giving them, rows);
# "bundle" is the zip of all of them.
_TABLES = {
    "trials": (selectors.TRIALS_COLUMNS, selectors.trial_rows),
    "participants": (participants_columns, selectors.participant_rows),
    "cases": (selectors.CASES_COLUMNS, selectors.case_rows),
    "audit": (selectors.AUDIT_COLUMNS, selectors.audit_rows),
    "allocation": (selectors.ALLOCATION_COLUMNS, selectors.allocation_rows),
}
_WITH_SYNTHETIC = {"trials", "participants"}  # the tables that hold participants' data
EXPORT_TABLES = (*_TABLES, "bundle")
# The same names as a type (tests/test_typing.py keeps them equal), and where an export is asked.
ExportTable = Literal["trials", "participants", "cases", "audit", "allocation", "bundle"]
ExportVia = Literal["console", "cli", "api"]
ExportFormat = Literal["csv", "parquet"]  # of one table; the bundle is always a zip


class ExportError(ValueError):
    """An export that cannot be made; the message says why."""


@dataclass(frozen=True)
class ExportResult:
    table: str
    filename: str
    content_type: str
    rows: int  # data rows written (for the bundle: trials rows)
    manifest: dict[str, Any] | None = None  # the bundle's manifest.json (nested JSON)


@transaction.atomic
def study_export(
    *,
    study: Study,
    table: ExportTable,
    handle: IO[bytes],
    actor: Actor = None,
    via: ExportVia = "console",
    allocation_slots: int | None = None,
    include_synthetic: bool = False,
    file_format: ExportFormat = "csv",
) -> ExportResult:
    """Write one export to the binary ``handle`` (a CSV table streamed row by row, or the zip
    bundle) and audit it with the row count and where it was asked for (console, cli, api).
    Simulated participants are left out unless ``include_synthetic`` (then every row says so
    in its ``synthetic`` column); free-text answers unless the actor may export them
    (study.permissions.study_may_export_free_text: a viewer only when an owner allows it)."""
    if table not in EXPORT_TABLES:
        raise ExportError(
            f"Unknown export table '{table}': choose one of {', '.join(EXPORT_TABLES)}."
        )
    if file_format not in ("csv", "parquet"):
        raise ExportError(f"Unknown export format '{file_format}': choose csv or parquet.")
    free_text = permissions.study_may_export_free_text(study=study, user=actor)
    if table == "bundle":
        manifest = exports.bundle_write(
            study=study,
            spec=study_design_spec(study=study),
            handle=handle,
            allocation_slots=allocation_slots,
            include_synthetic=include_synthetic,
            design_versions=selectors.design_version_records(study=study),
            free_text=free_text,
        )
        rows = next(entry["rows"] for entry in manifest["files"] if entry["file"] == "trials.csv")
        result = ExportResult(
            table=table,
            filename=f"{study.slug}-export.zip",
            content_type="application/zip",
            rows=rows,
            manifest=manifest,
        )
    else:
        columns, row_source = _TABLES[table]
        if callable(columns):
            columns = columns(study=study, free_text=free_text)
        if table == "participants":
            source = row_source(
                study=study, include_synthetic=include_synthetic, free_text=free_text
            )
        elif table in _WITH_SYNTHETIC:
            source = row_source(study=study, include_synthetic=include_synthetic)
        elif table == "allocation":
            slots = allocation_slots or exports.default_allocation_slots(study=study)
            source = row_source(study=study, spec=study_design_spec(study=study), n_slots=slots)
        else:
            source = row_source(study=study)
        if file_format == "parquet":
            rows = exports.parquet_table_write(
                handle=handle, table=table, rows=source, study=study, free_text=free_text
            )
            filename, content_type = (
                f"{study.slug}-{table}.parquet",
                "application/vnd.apache.parquet",
            )
        else:
            rows = -1  # the header is not a row
            for line in exports.csv_lines(columns, source):
                handle.write(line.encode("utf-8"))
                rows += 1
            filename, content_type = f"{study.slug}-{table}.csv", "text/csv"
        result = ExportResult(table=table, filename=filename, content_type=content_type, rows=rows)
    audit_record(
        action="export",
        study=study,
        actor=actor,
        detail={
            "table": table,
            "format": "zip" if table == "bundle" else file_format,
            "rows": rows,
            "via": via,
            "include_synthetic": include_synthetic,
            "free_text": free_text,
        },
    )
    return result
