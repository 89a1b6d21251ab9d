"""The fault drill (issue 9): participant bots run against `make serve`'s gunicorn on a fresh
PostgreSQL database while the drill kills a worker, terminates the database connections and
fills the media disk; then it compares what the server acknowledged with what the database holds.

    python tests/bench/drill.py [--quick] [--duration S] [--bots N] [--admin-dsn DSN]

Prints, per phase, the requests and their 5xx and dropped connections; per fault, the time to
the first successful request after it; then answers acknowledged vs stored, duplicates and
half-written rows. Exits 1 if anything was lost, duplicated or half-written (or a participant
could not finish), 2 if PostgreSQL is unreachable, else 0. Needs root for the tmpfs media disk;
without it the disk fault is skipped and the report says so."""

from __future__ import annotations

import argparse
import contextlib
import queue
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import drill_checks
import drill_faults
import psycopg2
from drill_bot import Bot, Recorder
from servers import manage, prepare, production_env, start

PHASES = ("warm-up", "worker killed", "db terminated", "disk full", "disk freed")
FAULT_AT = {"worker killed": 0.2, "db terminated": 0.4, "disk full": 0.6, "disk freed": 0.8}


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="about 40 s: the CI run")
    parser.add_argument("--duration", type=float, default=180.0, help="seconds of bot traffic")
    parser.add_argument("--bots", type=int, default=12, help="participants at a time")
    parser.add_argument("--workers", type=int, default=3, help="WEB_CONCURRENCY")
    parser.add_argument("--threads", type=int, default=8, help="GUNICORN_THREADS")
    parser.add_argument("--admin-dsn", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="he_drill", help="dropped and created afresh")
    # The demo's case files must fit, each case now with its packed window/level source too.
    parser.add_argument("--media-mb", type=int, default=256, help="size of the media tmpfs")
    parser.add_argument("--keep", action="store_true", help="keep the database and folder")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.bots, args.workers, args.threads = 30.0, 6, 2, 4
    return args


def _database_fresh(admin_dsn: str, name: str, *, drop_only: bool = False) -> None:
    with contextlib.closing(psycopg2.connect(admin_dsn, connect_timeout=5)) as connection:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'drop database if exists "{name}" with (force)')
            if not drop_only:
                cursor.execute(f'create database "{name}"')


def _dsn_for(admin_dsn: str, name: str) -> str:
    return admin_dsn.rsplit("/", 1)[0] + "/" + name


class Run:
    """The bots and the fault timeline of one drill."""

    def __init__(self, args, server, tokens, media, admin_dsn, database, disk_note):
        self.args, self.server, self.media = args, server, media
        self.admin_dsn, self.database, self.disk_note = admin_dsn, database, disk_note
        self.recorder = Recorder()
        self.tokens: queue.Queue = queue.Queue()
        for serial, token in enumerate(tokens):
            self.tokens.put((serial, token))
        self.walks: list = []
        self.no_more = threading.Event()
        self.faults: dict[str, float] = {}
        self.notes: list[str] = []

    def _bot(self, seed: int) -> None:
        bot = Bot(base_url=self.server.url, recorder=self.recorder, seed=seed)
        while not self.no_more.is_set():
            try:
                serial, token = self.tokens.get_nowait()
            except queue.Empty:
                self.notes.append("the invitations ran out before the end")
                return
            self.walks.append(bot.walk(token, serial))

    def _inject(self, phase: str) -> None:
        at = self.recorder.phase_start(phase)
        self.faults[phase] = at
        if phase == "worker killed":
            before = self.server.worker_pids()
            killed = drill_faults.kill_worker(before)
            while True:
                now = self.server.worker_pids()
                if len(now) >= len(before) and killed not in now:
                    break
                time.sleep(0.05)
            self.notes.append(
                f"worker killed: pid {killed} (SIGKILL); a new worker was up "
                f"{time.monotonic() - at:.2f} s later"
            )
        elif phase == "db terminated":
            count = drill_faults.terminate_backends(self.admin_dsn, self.database)
            self.notes.append(f"db terminated: {count} server processes of {self.database}")
        elif self.disk_note:
            self.notes.append(f"{phase}: skipped ({self.disk_note})")
        elif phase == "disk full":
            filled = drill_faults.disk_fill(self.media)
            console = drill_faults.Console(self.server.url)
            signed_in = console.sign_in()
            status, said = console.cases_import(drill_faults.import_archive((11, 12)))
            export = console.export_bundle("gaube-2021")
            self.notes.append(
                f"disk full: filler {filled / 2**20:.1f} MB; console sign-in {signed_in}; "
                f"case import -> {status}: {said}; bundle export -> {export[0]} "
                f"({export[1]} bytes)"
            )
        elif phase == "disk freed":
            drill_faults.disk_free(self.media)
            console = drill_faults.Console(self.server.url)
            console.sign_in()
            status, said = console.cases_import(drill_faults.import_archive((11, 12)))
            self.notes.append(f"disk freed: the same import again -> {status}: {said}")

    def go(self) -> None:
        bots = [
            threading.Thread(target=self._bot, args=(seed,), daemon=True)
            for seed in range(self.args.bots)
        ]
        started = self.recorder.phase_start("warm-up")
        for bot in bots:
            bot.start()
        for phase, fraction in FAULT_AT.items():
            time.sleep(max(0.0, started + fraction * self.args.duration - time.monotonic()))
            self._inject(phase)
        time.sleep(max(0.0, started + self.args.duration - time.monotonic()))
        self.no_more.set()
        self.recorder.phase_start("drain")
        for bot in bots:
            bot.join(timeout=300)


def _phase_of(events, moment: float) -> str:
    name = events[0][1]
    for at, phase in events:
        if at <= moment:
            name = phase
    return name


def _failed(outcome) -> bool:
    return outcome.status == 0 or outcome.status >= 500


def report(run: Run, findings, log: str) -> None:
    outcomes, events = run.recorder.outcomes, run.recorder.events
    print("\n== requests per phase, by when their answer came (dropped: no HTTP answer)")
    print(f"{'phase':<15}{'requests':>10}{'5xx':>7}{'dropped':>9}{'4xx':>6}  why dropped")
    for _at, phase in events:
        mine = [o for o in outcomes if _phase_of(events, o.ended) == phase]
        fivexx = sum(o.status >= 500 for o in mine)
        dropped = Counter(o.error for o in mine if o.status == 0)
        fourxx = sum(400 <= o.status < 500 for o in mine)
        why = ", ".join(f"{n} {name}" for name, n in dropped.items())
        print(f"{phase:<15}{len(mine):>10}{fivexx:>7}{sum(dropped.values()):>9}{fourxx:>6}  {why}")
    print(f"{'5xx in all':<15}{sum(o.status >= 500 for o in outcomes):>17}")
    print("\n== faults: the first successful request started after each, and the failures")
    print("   of requests in flight at the fault and of those started after it (same phase)")
    for phase, at in run.faults.items():
        ends = [t for t, name in events if t > at]
        until = min(ends) if ends else float("inf")
        first = min((o.ended for o in outcomes if o.started >= at and not _failed(o)), default=None)
        in_flight = [o for o in outcomes if o.started < at <= o.ended and _failed(o)]
        after = [o for o in outcomes if at <= o.started and o.ended < until and _failed(o)]
        recovered = f"{first - at:6.2f} s" if first is not None else "never"
        print(
            f"{phase:<15} first success {recovered} | failed: in flight {len(in_flight)}, "
            f"started after {len(after)}"
            + (f" (the last {max(o.ended for o in after) - at:.2f} s after)" if after else "")
        )
    for note in run.notes:
        print(f"  {note}")
    walks = run.walks
    print("\n== participants")
    print(
        f"walks {len(walks)}, completed {sum(bool(w.completion_code) for w in walks)}, "
        f"retries {sum(w.retries for w in walks)}, stuck {sum(bool(w.stuck) for w in walks)}"
    )
    for walk in [w for w in walks if w.stuck][:10]:
        print(f"  stuck: participant #{walk.serial} {walk.stuck}")
    print("\n== answers")
    print(f"acknowledged by the server  {findings.acknowledged}")
    print(f"stored as acknowledged      {findings.stored}")
    print(f"stored, acknowledgement lost (retried) {findings.retried_stored}")
    print(f"responses in the database   {findings.responses_in_db}")
    print(f"lost                        {len(findings.lost)}")
    print(f"duplicated                  {len(findings.duplicated)}")
    print(f"half-written                {len(findings.half_written)}")
    print(f"case files not as named     {len(findings.bad_files)}")
    for line in findings.lost + findings.duplicated + findings.half_written + findings.bad_files:
        print(f"  {line[:300]}")
    errors = Counter(re.findall(r"^Internal Server Error: (\S+)", log, re.M))
    kinds = Counter(re.findall(r"^(\w+(?:\.\w+)*(?:Error|Exception)\b[^\n]{0,100})", log, re.M))
    if errors or kinds:
        print("\n== server errors in gunicorn's log")
        for path, count in errors.most_common(10):
            print(f"  {count} x Internal Server Error: {path}")
        for kind, count in kinds.most_common(10):
            print(f"  {count} x {kind}")


def main(argv=None) -> int:
    args = _arguments(argv)
    try:
        _database_fresh(args.admin_dsn, args.database)
    except psycopg2.OperationalError as error:
        print(f"PostgreSQL unreachable at {args.admin_dsn}: {error}")
        return 2
    folder = Path(tempfile.mkdtemp(prefix="he-drill-"))
    media = folder / "media"
    disk_note = drill_faults.media_mount(media, args.media_mb)
    if disk_note:
        disk_note = f"could not mount a tmpfs for the media folder: {disk_note}"
    env = production_env(
        folder,
        database_url=_dsn_for(args.admin_dsn, args.database),
        CONN_MAX_AGE="60",
        WEB_CONCURRENCY=str(args.workers),
        GUNICORN_THREADS=str(args.threads),
    )
    server = None
    try:
        prepare(env)
        # enough walks for the whole run at the pace the bots reach (about 2 walks/s per 6)
        wanted = int(args.bots * max(8.0, args.duration / 1.5)) + args.bots
        seeded = manage(env, "demo_seed", "--invitations", str(wanted))
        tokens = re.findall(r"/p/([^/\s]+)/", seeded)
        drill_faults.import_study_create(env)
        server = start(env, folder / "gunicorn.log")
        print(
            f"drill: {args.duration:.0f} s, {args.bots} bots, gunicorn {args.workers} x "
            f"{args.threads} threads (deploy/gunicorn.conf.py), CONN_MAX_AGE=60, database "
            f"{args.database}, media {'a folder' if disk_note else f'tmpfs {args.media_mb} MB'}"
        )
        run = Run(args, server, tokens, media, args.admin_dsn, args.database, disk_note)
        run.go()
        findings = drill_checks.check(
            _dsn_for(args.admin_dsn, args.database), run.walks, media if not disk_note else None
        )
        server.stop()
        report(run, findings, server.log())
        stuck = any(walk.stuck for walk in run.walks)
        failed = findings.failed or stuck or not run.walks
        print(f"\nDRILL {'FAILED' if failed else 'PASSED'}")
        return 1 if failed else 0
    finally:
        if server is not None:
            server.stop()
        if not disk_note:
            drill_faults.media_unmount(media)
        if not args.keep:
            _database_fresh(args.admin_dsn, args.database, drop_only=True)
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"kept: database {args.database}, folder {folder}")


if __name__ == "__main__":
    sys.exit(main())
