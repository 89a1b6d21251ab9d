"""Table writers for the export contract (DATA.md): CSV rows, Parquet, the codebook and the
zip bundle with its manifest. They write what they are given; the export service
(study.services.exports) decides what is exported and records it in the audit log."""

from .bundle import (
    CODEBOOK_VERSION,
    bundle_write,
    default_allocation_slots,
    parquet_table_write,
    table_schema,
)
from .codebook import study_codebook
from .csv_rows import csv_cell, csv_lines

__all__ = [
    "CODEBOOK_VERSION",
    "bundle_write",
    "csv_cell",
    "csv_lines",
    "default_allocation_slots",
    "parquet_table_write",
    "study_codebook",
    "table_schema",
]
