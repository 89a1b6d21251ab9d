"""Settings come from the environment: SQLite by default, PostgreSQL by URL, no key no start."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_PROBE = (
    "import json, config.settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'name': str(s.DATABASES['default']['NAME']), 'debug': s.DEBUG}))"
)


def _settings(**env):
    environment = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL")}
    environment.pop("SECRET_KEY", None)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_given_no_database_url_then_the_embedded_sqlite_file_is_used():
    result = _settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values == {
        "engine": "django.db.backends.sqlite3",
        "name": str(ROOT / "db.sqlite3"),
        "debug": True,
    }


def test_given_a_postgres_url_then_postgresql_is_used():
    result = _settings(DEBUG="1", DATABASE_URL="postgres://u:p@db.example:5433/trustlab")
    values = json.loads(result.stdout)
    assert (values["engine"], values["name"]) == ("django.db.backends.postgresql", "trustlab")


def test_given_debug_off_and_no_secret_key_then_settings_refuse_to_load():
    result = _settings()
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_given_debug_off_and_a_secret_key_then_debug_stays_off():
    result = _settings(SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["debug"] is False
