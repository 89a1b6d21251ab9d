"""The study report: renders an analysis.study.StudyAnalysis to one self-contained HTML file.

Rule: this package renders and fits nothing (tables, figures, methods text, provenance);
``build_report`` is the one convenience that calls fit_study first.
"""

from .page import build_report, render_report

__all__ = ["build_report", "render_report"]
