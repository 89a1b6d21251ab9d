"""The export tables as Parquet, typed from the DATA.md codebook, written in batches."""

import hashlib
import io
import zipfile
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from analysis.data import CODEBOOK, CODEBOOK_V2

_ARROW_TYPES = {
    "str": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "datetime": pa.timestamp("us", tz="UTC"),
}
_BATCH = 5000


class HashingWriter(io.RawIOBase):
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


def trials_schema() -> pa.Schema:
    return pa.schema([(spec.name, _ARROW_TYPES[spec.type]) for spec in CODEBOOK + CODEBOOK_V2])


def schema_of(types: Iterable[tuple[str, str]]) -> pa.Schema:
    """A schema from (column, DATA.md type) pairs."""
    return pa.schema([(name, _ARROW_TYPES[kind]) for name, kind in types])


def parquet_stream(sink: HashingWriter, rows: Iterable[dict[str, Any]], schema: pa.Schema) -> int:
    """Write ``rows`` as one Parquet file to ``sink`` in batches; returns the row count."""
    count = 0
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
    return count


def write_parquet(
    bundle: zipfile.ZipFile,
    name: str,
    rows: Iterable[dict[str, Any]],
    schema: pa.Schema | None = None,
) -> dict[str, Any]:
    with bundle.open(name, "w") as member:
        sink = HashingWriter(member)
        count = parquet_stream(sink, rows, schema or trials_schema())
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
