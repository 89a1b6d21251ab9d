"""Issue 8 point 7: the audit log and the design versions are append-only in the database.

Triggers refuse every UPDATE and DELETE of a row of study_auditevent and study_designversion,
whatever issues it (the ORM, the admin, a raw SQL session), with a message naming the table and
the refused operation, e.g. "study_auditevent is append-only: UPDATE refused". INSERT still works.

Consequences: deleting a study (DesignVersion.study is CASCADE, AuditEvent.study is SET_NULL) or
an audited user (AuditEvent.actor and DesignVersion.actor are SET_NULL) now fails at the database;
studies are closed, never deleted, and researchers are deactivated, never deleted.

PostgreSQL: row triggers do not fire on TRUNCATE, which only the test runner's flush uses (a
TRUNCATE trigger would refuse it). SQLite has no TRUNCATE: the test runner's flush is DELETE, so
tests/conftest.py lifts the triggers for the duration of that flush only (see the comment there).

Only triggers (no model field changes); the reverse drops them.
"""

from django.db import migrations

TABLES = ("study_auditevent", "study_designversion")
FUNCTION = "study_append_only_refuse"


def _postgresql_install(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()",
    ]


def _sqlite_install(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{operation.lower()} "
        f"BEFORE {operation} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
        for operation in ("UPDATE", "DELETE")
    ]


def _statements_install(vendor: str) -> list[str]:
    if vendor == "postgresql":
        # No "%" anywhere: the schema editor must not take any of it for a query parameter.
        # ERRCODE restrict_violation (class 23) surfaces as an IntegrityError, as on SQLite.
        function = (
            f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION USING "
            "MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused', "
            "ERRCODE = 'restrict_violation'; END $$"
        )
        return [function] + [sql for table in TABLES for sql in _postgresql_install(table)]
    if vendor == "sqlite":
        return [sql for table in TABLES for sql in _sqlite_install(table)]
    raise NotImplementedError(f"append-only triggers: no statements for database '{vendor}'")


def _statements_drop(vendor: str) -> list[str]:
    if vendor == "postgresql":
        triggers = [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in TABLES]
        return triggers + [f"DROP FUNCTION IF EXISTS {FUNCTION}()"]
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_{operation}"
            for table in TABLES
            for operation in ("update", "delete")
        ]
    raise NotImplementedError(f"append-only triggers: no statements for database '{vendor}'")


def install(apps, schema_editor):
    for sql in _statements_install(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    for sql in _statements_drop(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("study", "0005_research_integrity"),
    ]

    operations = [
        migrations.RunPython(install, drop, elidable=False),
    ]
