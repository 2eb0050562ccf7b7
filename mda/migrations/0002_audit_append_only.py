"""The audit trail is append-only: the database itself refuses UPDATE, DELETE and TRUNCATE.

SQLite rebuilds a table (and drops its triggers) when a migration alters it: any later migration
that alters mda_auditevent must run ``TRIGGERS[vendor].create`` again. ``verify_audit`` reports
missing triggers.

The test suite's flush (tests/conftest.py) drops and recreates these triggers inside the flush's
own transaction, using the statements below; production never does.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db import migrations

MESSAGE = "audit events are append-only"


class Triggers(NamedTuple):
    setup: tuple[str, ...]  # once: what the triggers need (the PostgreSQL function)
    create: tuple[str, ...]
    drop: tuple[str, ...]
    teardown: tuple[str, ...]


SQLITE = Triggers(
    setup=(),
    create=tuple(
        f"CREATE TRIGGER mda_auditevent_no_{verb.lower()} BEFORE {verb} ON mda_auditevent "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
        for verb in ("UPDATE", "DELETE")
    ),
    drop=(
        "DROP TRIGGER IF EXISTS mda_auditevent_no_update;",
        "DROP TRIGGER IF EXISTS mda_auditevent_no_delete;",
    ),
    teardown=(),
)

POSTGRESQL = Triggers(
    setup=(
        f"""
        CREATE OR REPLACE FUNCTION mda_audit_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END;
        $$;
        """,
    ),
    create=(
        "CREATE TRIGGER mda_auditevent_no_update_delete BEFORE UPDATE OR DELETE ON mda_auditevent "
        "FOR EACH ROW EXECUTE FUNCTION mda_audit_append_only();",
        "CREATE TRIGGER mda_auditevent_no_truncate BEFORE TRUNCATE ON mda_auditevent "
        "FOR EACH STATEMENT EXECUTE FUNCTION mda_audit_append_only();",
    ),
    drop=(
        "DROP TRIGGER IF EXISTS mda_auditevent_no_update_delete ON mda_auditevent;",
        "DROP TRIGGER IF EXISTS mda_auditevent_no_truncate ON mda_auditevent;",
    ),
    teardown=("DROP FUNCTION IF EXISTS mda_audit_append_only();",),
)

TRIGGERS = {"sqlite": SQLITE, "postgresql": POSTGRESQL}


def _triggers(schema_editor) -> Triggers:
    vendor = schema_editor.connection.vendor
    if vendor not in TRIGGERS:
        raise RuntimeError(f"No append-only audit triggers for the {vendor} database.")
    return TRIGGERS[vendor]


def forwards(apps, schema_editor) -> None:
    triggers = _triggers(schema_editor)
    for statement in (*triggers.setup, *triggers.create):
        schema_editor.execute(statement)


def backwards(apps, schema_editor) -> None:
    triggers = _triggers(schema_editor)
    for statement in (*triggers.drop, *triggers.teardown):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("mda", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
