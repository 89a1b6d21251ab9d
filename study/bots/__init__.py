"""Bots: simulated physicians that take part in a study over real HTTP, page by page, as a
browser does (``manage.py run_bots``). Not a surface: a client of the participant pages, with
the simulate command's answers (services.synthetic) and its rule on where they may be."""

from .bot import COMPLETED, FAILED, STUCK, BotResult
from .run import ENTRIES, RunReport, bots_run, report_lines

__all__ = [
    "COMPLETED",
    "ENTRIES",
    "FAILED",
    "STUCK",
    "BotResult",
    "RunReport",
    "bots_run",
    "report_lines",
]
