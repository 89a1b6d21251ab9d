"""CSV rendering of the DATA.md tables, streamed row by row so any size runs in constant memory."""

import csv
from collections.abc import Iterable, Iterator


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_cell(value) -> str:
    # DATA.md: true/false for booleans, empty for missing.
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def csv_lines(columns: Iterable[str], rows: Iterable[dict]) -> Iterator[str]:
    columns = tuple(columns)
    writer = csv.writer(_Echo(), lineterminator="\n")
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([csv_cell(row[column]) for column in columns])
