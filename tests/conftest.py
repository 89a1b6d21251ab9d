import os

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import TransactionTestCase
from hypothesis import settings as hypothesis_settings

# CI runs the same examples every time (a red run is reproducible, never a coin toss) and has
# no per-example deadline (a loaded machine is not a failing property). Locally, examples vary.
# Both run 50 examples of each property unless a test asks for its own number: the suite
# holds some twenty properties over whole pages, and make test stays within its 15 minutes.
hypothesis_settings.register_profile(
    "ci", derandomize=True, deadline=None, print_blob=True, max_examples=50
)
hypothesis_settings.register_profile("suite", max_examples=50)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "suite")


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL); CI runs it there")


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The cache holds the rate-limit counters (study.ratelimit): no test inherits another's.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Every test stores files in its own folder: no test sees another's images.
    settings.MEDIA_ROOT = tmp_path / "media"


# The append-only triggers (migration 0006) refuse every DELETE of an audit event or a design
# version. After a transactional test (transaction=True, live_server: the e2e tests) the test
# runner empties the database with the flush command: TRUNCATE on PostgreSQL, where row triggers
# do not fire, but DELETE FROM on SQLite, which they refuse. So on SQLite, and only around that
# flush, the triggers are dropped and then re-created from their own stored SQL (sqlite_master),
# unchanged. Chosen over an escape condition in the trigger (WHEN NOT EXISTS a maintenance row):
# the trigger the application runs with has no way around it, in tests as in production, and
# nothing but the test runner's flush (TransactionTestCase._fixture_teardown) is ever let through.
APPEND_ONLY_TABLES = ("study_auditevent", "study_designversion")


def _sqlite_triggers_lift(aliases: list[str]) -> list[tuple[str, str, str]]:
    lifted = []
    for alias in aliases:
        if connections[alias].vendor != "sqlite":
            continue
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
            triggers = cursor.fetchall()
            for name, table, sql in triggers:
                if table in APPEND_ONLY_TABLES:
                    cursor.execute(f'DROP TRIGGER "{name}"')
                    lifted.append((alias, name, sql))
    return lifted


def _sqlite_triggers_restore(lifted: list[tuple[str, str, str]]) -> None:
    for alias, _name, sql in lifted:
        with connections[alias].cursor() as cursor:
            cursor.execute(sql)


@pytest.fixture(scope="session", autouse=True)
def _flush_past_append_only_triggers():
    fixture_teardown = TransactionTestCase._fixture_teardown

    def flush_with_triggers_lifted(self):
        lifted = _sqlite_triggers_lift(self._databases_names(include_mirrors=False))
        try:
            fixture_teardown(self)
        finally:
            _sqlite_triggers_restore(lifted)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", flush_with_triggers_lifted)
        yield


def pytest_collection_modifyitems(config, items):
    """The benchmarks' tests (tests/bench: servers under slow clients, the fault drill, nginx)
    time what they measure, so they run alone: `make test` runs every other test on both cores
    (pytest-xdist), then these, marked serial, in one process."""
    for item in items:
        if "tests/bench/" in item.nodeid or item.nodeid.startswith("bench/"):
            item.add_marker(pytest.mark.serial)
