"""Figures for the report, rendered by matplotlib straight to inline SVG strings.

Rule: plotting is separate from computing. Each function takes a describe.py table and returns an
``<svg>`` element with ``role="img"``, a ``<title>`` and a ``<desc>``, ready to paste into HTML.
Figures are drawn on ``matplotlib.figure.Figure`` objects (no pyplot, no global backend switch), so
the Agg-style off-screen rendering never touches the caller's matplotlib state.
"""

from __future__ import annotations

import html
import io
import re

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = ["accuracy_figure", "rating_figure", "susceptibility_figure"]

_SOURCE_COLOURS = {"ai": "#1b6ca8", "human": "#d1495b"}  # distinguishable in grey scale too
_FOLLOWED_COLOURS = {"all": "#7a1f2b", "some": "#d1495b", "none": "#9cc5e0"}
# Legends sit right of the last panel, never on the data (tight_layout makes room for them).
_OUTSIDE = {"loc": "upper left", "bbox_to_anchor": (1.02, 1.0), "borderaxespad": 0.0}
_RC = {
    "svg.fonttype": "none",  # keep text as text: smaller, searchable, read by screen readers
    "font.size": 9,
}


def accuracy_figure(accuracy: pd.DataFrame, *, outcome: str = "correct_decision") -> str:
    """Proportion correct with Wilson CIs by advice correctness x label, one panel per stratum."""
    table = accuracy[accuracy["outcome"] == outcome]
    strata = sorted(table["stratum"].unique())
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(3.2 * max(len(strata), 1) + 0.6, 3.2))
        axes = figure.subplots(1, max(len(strata), 1), sharey=True, squeeze=False)[0]
        for ax, stratum in zip(axes, strata, strict=False):
            cell = table[table["stratum"] == stratum]
            _points(ax, cell, "proportion", "ci_low", "ci_high")
            ax.set_title(stratum)
            ax.set_ylim(0, 1.05)
        axes[0].set_ylabel(f"{outcome.replace('_', ' ')} (proportion, 95% CI)")
        if len(table):  # a study that did not ask the question has nothing to label
            axes[-1].legend(title="label", frameon=False, **_OUTSIDE)
        figure.tight_layout()
        return _svg(
            figure,
            title=f"Accuracy ({outcome}) by advice correctness, label and stratum",
            description=_describe_rows(cell_rows=table, value="proportion"),
        )


def rating_figure(ratings: pd.DataFrame, *, what: str = "advice rating") -> str:
    """Mean rating with a normal-approximation 95% CI (mean +/- 1.96 SD / sqrt(n))."""
    table = ratings.copy()
    half = 1.959964 * table["sd"].fillna(0.0) / np.sqrt(table["n"])
    table["low"] = table["mean"] - half
    table["high"] = table["mean"] + half
    strata = sorted(table["stratum"].unique())
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(3.2 * max(len(strata), 1) + 0.6, 3.2))
        axes = figure.subplots(1, max(len(strata), 1), sharey=True, squeeze=False)[0]
        for ax, stratum in zip(axes, strata, strict=False):
            _points(ax, table[table["stratum"] == stratum], "mean", "low", "high")
            ax.set_title(stratum)
            ax.set_ylim(1, 7)
        axes[0].set_ylabel(f"mean {what} (95% CI)")
        if len(table):
            axes[-1].legend(title="label", frameon=False, **_OUTSIDE)
        figure.tight_layout()
        return _svg(
            figure,
            title=f"Mean {what} by advice correctness, label and stratum",
            description=_describe_rows(cell_rows=table, value="mean"),
        )


def susceptibility_figure(susceptibility: pd.DataFrame) -> str:
    """Share of participants who followed all, some or none of their inaccurate advice."""
    groups = [c for c in susceptibility.columns if c not in _SUSCEPTIBILITY_VALUES]
    keys = susceptibility[groups].drop_duplicates().itertuples(index=False, name=None)
    keys = list(keys)
    labels = [" / ".join(map(str, key)) for key in keys]
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(1.6 * max(len(keys), 1) + 2.4, 3.2))
        ax = figure.subplots()
        width = 0.26
        x = np.arange(len(keys))
        for j, level in enumerate(("all", "some", "none")):
            rows = susceptibility[susceptibility["followed"] == level].set_index(groups)
            rows = rows.loc[[key[0] if len(key) == 1 else key for key in keys]]
            share = rows["share"].to_numpy()
            errors = np.vstack([share - rows["ci_low"], rows["ci_high"] - share])
            ax.bar(
                x + (j - 1) * width,
                share,
                width,
                yerr=errors,
                capsize=2,
                color=_FOLLOWED_COLOURS[level],
                label=level,
            )
        ax.set_xticks(x, labels)
        ax.set_ylim(0, 1)
        ax.set_ylabel("share of participants (95% CI)")
        ax.legend(title="followed inaccurate advice", frameon=False, fontsize=8, **_OUTSIDE)
        figure.tight_layout()
        parts = [
            f"{' / '.join(map(str, row[: len(groups)]))}, {row[len(groups)]}: "
            f"{row[len(groups) + 1]} of {row[len(groups) + 2]}"
            for row in susceptibility[[*groups, "followed", "k", "n"]].itertuples(
                index=False, name=None
            )
        ]
        return _svg(
            figure,
            title="Susceptibility: participants who followed all, some or none of the inaccurate "
            "advice",
            description="; ".join(parts),
        )


_SUSCEPTIBILITY_VALUES = {"followed", "k", "n", "share", "ci_low", "ci_high"}


def _points(ax, cell: pd.DataFrame, value: str, low: str, high: str) -> None:
    # x positions: inaccurate then accurate advice; labels side by side with a small offset.
    for j, source in enumerate(sorted(cell["advice_source"].unique())):
        rows = cell[cell["advice_source"] == source].sort_values("advice_correct")
        x = rows["advice_correct"].astype(int).to_numpy() + (j - 0.5) * 0.18
        y = rows[value].to_numpy(dtype=float)
        errors = np.vstack([y - rows[low].to_numpy(float), rows[high].to_numpy(float) - y])
        ax.errorbar(
            x,
            y,
            yerr=errors,
            fmt="o" if j == 0 else "s",
            capsize=3,
            color=_SOURCE_COLOURS.get(source, "#444444"),
            label=source,
        )
    ax.set_xticks([0, 1], ["inaccurate\nadvice", "accurate\nadvice"])
    ax.set_xlim(-0.5, 1.5)


def _describe_rows(*, cell_rows: pd.DataFrame, value: str) -> str:
    parts = []
    for row in cell_rows.itertuples(index=False):
        advice = "accurate" if row.advice_correct else "inaccurate"
        parts.append(
            f"{row.stratum}, {row.advice_source} label, {advice} advice: {getattr(row, value):.2f}"
        )
    return "; ".join(parts)


def _svg(figure: Figure, *, title: str, description: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40]
    buffer = io.StringIO()
    # A fixed salt per figure: element ids are reproducible, and unique across the figures of
    # one HTML page (ids must not repeat within a document).
    with matplotlib.rc_context({"svg.hashsalt": f"trustlab-{slug}"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML declaration and DOCTYPE: inline SVG needs none
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, count=1, flags=re.DOTALL)
    # matplotlib numbers its element ids per figure (figure_1, axes_1, ...): prefix them so that
    # several figures can share one HTML page without duplicate ids.
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{slug}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{slug}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{slug}-\1"', svg)
    head_end = svg.index(">") + 1
    opening = svg[:head_end].replace(
        "<svg", f'<svg role="img" aria-labelledby="{slug}-title {slug}-desc"', 1
    )
    accessible = (
        f'<title id="{slug}-title">{html.escape(title)}</title>'
        f'<desc id="{slug}-desc">{html.escape(description)}</desc>'
    )
    return opening + accessible + svg[head_end:]
