"""HTML building blocks of the report: tables with captions and scoped headers, number formats.

Rule: every value goes through html.escape on its way into the page; numbers are formatted here
and nowhere else (p values, percentages, milliseconds, three decimals).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = ["HEADERS", "cell_text", "counts_text", "key_value_table", "percent", "table"]

# Column headers as a reader of the supplement expects them; the tidy names stay in the API.
HEADERS = {
    "outcome": "Outcome",
    "stratum": "Stratum",
    "arm": "Arm",
    "advice_source": "Label",
    "advice_correct": "Advice accurate",
    "participants": "Participants",
    "trials": "Trials",
    "inaccurate_trials": "Inaccurate-advice trials",
    "cases": "Cases",
    "followed": "Followed inaccurate advice",
    "proportion_pct": "%",
    "share_pct": "%",
    "ci_low_pct": "CI low %",
    "ci_high_pct": "CI high %",
    "mean": "Mean",
    "sd": "SD",
    "median": "Median",
    "median_ms": "Median (ms)",
    "q1_ms": "Q1 (ms)",
    "q3_ms": "Q3 (ms)",
    "iqr_ms": "IQR (ms)",
    "term": "Term",
    "contrast": "Contrast",
    "estimate": "Estimate",
    "std_error": "SE",
    "ci_low": "CI low",
    "ci_high": "CI high",
    "odds_ratio": "OR",
    "or_ci_low": "OR CI low",
    "or_ci_high": "OR CI high",
    "group": "Group",
    "variance": "Variance",
}


def table(frame: pd.DataFrame, *, caption: str) -> str:
    """A tidy table as an HTML table: a caption, one scoped header per column, formatted cells."""
    head = "".join(
        f'<th scope="col">{html.escape(HEADERS.get(str(c), str(c)))}</th>' for c in frame.columns
    )
    body = []
    for row in frame.itertuples(index=False, name=None):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            text, numeric = cell_text(str(column), value)
            css = ' class="num"' if numeric else ""
            cells.append(f"<td{css}>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def key_value_table(items: Iterable[tuple[str, str]], *, caption: str, code: bool = False) -> str:
    """A two-column table of row headers and values (values in <code> when ``code``)."""
    opening, closing = ("<code>", "</code>") if code else ("", "")
    rows = "".join(
        f'<tr><th scope="row">{html.escape(key)}</th>'
        f"<td>{opening}{html.escape(value)}{closing}</td></tr>"
        for key, value in items
    )
    return f"<table><caption>{html.escape(caption)}</caption><tbody>{rows}</tbody></table>"


def cell_text(column: str, value: object) -> tuple[str, bool]:
    """A cell's text and whether it is a number (right-aligned)."""
    if isinstance(value, bool | np.bool_):
        return ("true" if value else "false"), False
    if isinstance(value, int | np.integer):
        return str(int(value)), True
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return "", True
        if column == "p":
            return ("<0.001" if value < 0.001 else f"{value:.3f}"), True
        if column.endswith("_pct"):
            return f"{value:.1f}", True
        if column.endswith("_ms"):
            return f"{value:.0f}", True
        return f"{value:.3f}", True
    return str(value), False


def percent(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Proportions as percentages, the columns renamed with a ``_pct`` suffix."""
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column] * 100
    return frame.rename(columns={c: f"{c}_pct" for c in columns})


def counts_text(counts: Iterable[tuple[int, int]]) -> str:
    """(value, participants) pairs as "8 (24 participants), 7 (1 participants)"."""
    return ", ".join(f"{value} ({n} participants)" for value, n in counts)
