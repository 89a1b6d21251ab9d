"""The fault drill's quick run (tests/bench/drill.py --quick, about a minute): under a killed
worker, terminated database connections and a full media disk, no acknowledged answer is lost,
nothing is stored twice and nothing is half-written."""

import contextlib
import re
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest

DRILL = Path(__file__).resolve().parent / "drill.py"
ADMIN_DSN = "postgres://postgres@127.0.0.1:5432/postgres"


def _figure(output: str, label: str) -> int:
    found = re.search(rf"^{re.escape(label)}\s+(\d+)$", output, re.M)
    assert found is not None, f"the drill printed no '{label}' figure:\n{output}"
    return int(found.group(1))


def test_the_quick_drill_loses_duplicates_and_half_writes_nothing():
    try:
        with contextlib.closing(psycopg2.connect(ADMIN_DSN, connect_timeout=3)):
            pass
    except psycopg2.OperationalError:
        pytest.skip(f"PostgreSQL unreachable at {ADMIN_DSN}")
    done = subprocess.run(
        [sys.executable, str(DRILL), "--quick", "--admin-dsn", ADMIN_DSN, "--database", "he_ci"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = done.stdout
    print(output)
    assert _figure(output, "lost") == 0
    assert _figure(output, "duplicated") == 0
    assert _figure(output, "half-written") == 0
    acknowledged = _figure(output, "acknowledged by the server")
    assert acknowledged > 0
    assert _figure(output, "stored as acknowledged") == acknowledged
    assert _figure(output, "case files not as named") == 0
    # a killed worker drops its connections (the bots reload), but no request gets a 5xx: a
    # request whose database connection died is served again (study.resilience)
    assert _figure(output, "5xx in all") == 0
    assert done.returncode == 0, done.stderr[-3000:]
