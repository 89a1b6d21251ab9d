"""A run of bots on one study: their entries (fresh synthetic invitations, or the study's open
link with each participant flagged synthetic as it is created), the site (the given base URL,
or this process serving it), the bots on a pool of threads, and what became of each.

Rule: simulated participants only where ``simulate`` allows them (a demo, or pilot mode),
checked before anything is created; a bot that breaks never breaks the run (it is reported).
"""

from __future__ import annotations

import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import connections

from study.models import Study
from study.services import StudyStateError
from study.services.bots import bot_invitations_create, bot_participant_mark
from study.services.synthetic import synthetic_allowed_check

from .bot import COMPLETED, FAILED, STUCK, Bot, BotResult, where
from .browser import Browser
from .physician import bots_setup
from .server import site_served

ENTRIES = ("invitations", "open-link")
USER_AGENT = "TrustLab-bot/1 (run_bots)"


@dataclass(frozen=True)
class RunReport:
    base_url: str
    results: tuple[BotResult, ...]

    def with_outcome(self, outcome: str) -> list[BotResult]:
        return [result for result in self.results if result.outcome == outcome]

    @property
    def succeeded(self) -> bool:
        return all(result.outcome == COMPLETED for result in self.results)


def _open_link_path(study: Study, number: int) -> str:
    if not study.self_enrolment_token:
        raise StudyStateError(
            f"Study '{study.slug}' has no open enrolment link: use --entry invitations."
        )
    path = f"s/{study.self_enrolment_token}/"
    if study.panel_id_param:  # a panel's link carries its participant id: one per bot
        path += f"?{study.panel_id_param}=BOT{number}{secrets.token_hex(6)}"
    return path


def bots_run(
    *,
    study: Study,
    participants: int,
    concurrency: int = 4,
    base_url: str | None = None,
    entry: str = "invitations",
    seed: int = 2021,
    timeout: float = 300.0,
    request_timeout: float = 30.0,
    radiology_share: float = 138 / 265,
) -> RunReport:
    """Run ``participants`` bots, ``concurrency`` at a time, each within ``timeout`` seconds."""
    if entry not in ENTRIES:
        raise ValueError(f"entry must be one of {', '.join(ENTRIES)}, got '{entry}'")
    synthetic_allowed_check(study=study)
    setup, physicians = bots_setup(
        study=study, participants=participants, seed=seed, radiology_share=radiology_share
    )
    max_pages = (
        4 * len(setup.cases) + 20
    )  # each case at most read, answered and fed back, plus the rest
    if entry == "invitations":
        starts = bot_invitations_create(study=study, count=participants)
    else:
        starts = [_open_link_path(study, number) for number in range(1, participants + 1)]
    served = site_served() if base_url is None else nullcontext(base_url)
    with served as url:

        def one(number: int) -> BotResult:
            browser = Browser(base_url=url, timeout=request_timeout, user_agent=USER_AGENT)
            bot = Bot(
                number=number,
                browser=browser,
                physician=physicians[number - 1],
                deadline=time.monotonic() + timeout,
                max_pages=max_pages,
                on_link=lambda token: bot_participant_mark(token=token),
            )
            try:
                if entry == "invitations":
                    return bot.run_invitation(starts[number - 1])
                return bot.run_open_link(starts[number - 1])
            except Exception as error:  # reported with the bot's page, never lost
                place = where(browser.previous)  # the last page it was served
                return BotResult(number, FAILED, place.step, place.path, repr(error))
            finally:
                browser.close()
                connections.close_all()  # this thread's; a pool thread runs many bots

        with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
            results = tuple(pool.map(one, range(1, participants + 1)))
    return RunReport(base_url=url, results=results)


def report_lines(report: RunReport) -> list[str]:
    """The run in words: the counts, then one line per bot that did not complete."""
    counts = {outcome: len(report.with_outcome(outcome)) for outcome in (COMPLETED, FAILED, STUCK)}
    lines = [
        f"Bots at {report.base_url}: {counts[COMPLETED]} completed, {counts[FAILED]} failed, "
        f"{counts[STUCK]} stuck."
    ]
    for result in report.results:
        if result.outcome != COMPLETED:
            lines.append(
                f"  bot {result.number} {result.outcome} at {result.step} ({result.path}): "
                f"{result.reason}"
            )
    done = report.with_outcome(COMPLETED)
    if done:
        seconds = sorted(result.seconds for result in done)
        lines.append(
            f"Completed bots: {sum(r.pages for r in done)} pages, {sum(r.images for r in done)} "
            f"images, median {seconds[len(seconds) // 2]:.1f} s per bot."
        )
    throttled = sum(result.throttled for result in report.results)
    if throttled:
        lines.append(
            f"{throttled} requests were answered 429 (the per-address rate limit: every bot "
            "comes from this address) and sent again after the wait the site asked for; "
            "RATELIMIT_ENABLE=0 on the site lifts the limit for a run of bots."
        )
    return lines
