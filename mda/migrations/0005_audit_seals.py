"""The audit trail without a global lock: events carry a MAC, seals chain them (mda/audit.py).

Events no longer hold the chain hashes; a separate insert-only table of seals does. Existing events
(chained the old way, under a lock) are checked against their old chain, given their MAC and sealed
at positions 1..n in id order; a broken old chain stops the migration. That needs MDA_AUDIT_KEY,
which the migrate job has.

All three audit tables are append-only: triggers refuse UPDATE, DELETE (and TRUNCATE on
PostgreSQL). On PostgreSQL a trigger also stamps each new event with its transaction id, whatever
the INSERT said. SQLite rebuilds a table (and drops its triggers) when a migration alters it: a
later migration that alters one of these tables must run ``TRIGGERS[vendor].create`` again.
``verify_audit`` reports missing triggers. The test suite's flush (tests/conftest.py) drops and
recreates them inside the flush's own transaction; production never does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC
from typing import NamedTuple

from django.db import migrations, models

MESSAGE = "audit events are append-only"
TABLES = ("mda_auditevent", "mda_auditseal", "mda_auditeventcase")


class Triggers(NamedTuple):
    setup: tuple[str, ...]  # once: what the triggers need (PostgreSQL functions)
    create: tuple[str, ...]
    drop: tuple[str, ...]
    teardown: tuple[str, ...]
    names: tuple[str, ...]  # what verify_audit expects to find


def _sqlite() -> Triggers:
    create, drop, names = [], [], []
    for table in TABLES:
        for verb in ("UPDATE", "DELETE"):
            name = f"{table}_no_{verb.lower()}"
            create.append(
                f"CREATE TRIGGER {name} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
            )
            drop.append(f"DROP TRIGGER IF EXISTS {name};")
            names.append(name)
    return Triggers((), tuple(create), tuple(drop), (), tuple(names))


def _postgresql() -> Triggers:
    setup = (
        f"""
        CREATE OR REPLACE FUNCTION mda_audit_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END;
        $$;
        """,
        """
        CREATE OR REPLACE FUNCTION mda_audit_stamp_txid() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            NEW.txid := pg_current_xact_id()::text::bigint;
            RETURN NEW;
        END;
        $$;
        """,
    )
    create, drop, names = [], [], []
    for table in TABLES:
        create += [
            f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION mda_audit_append_only();",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION mda_audit_append_only();",
        ]
        drop += [
            f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table};",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
        ]
        names += [f"{table}_no_update_delete", f"{table}_no_truncate"]
    create.append(
        "CREATE TRIGGER mda_auditevent_txid BEFORE INSERT ON mda_auditevent "
        "FOR EACH ROW EXECUTE FUNCTION mda_audit_stamp_txid();"
    )
    drop.append("DROP TRIGGER IF EXISTS mda_auditevent_txid ON mda_auditevent;")
    names.append("mda_auditevent_txid")
    teardown = ("DROP FUNCTION IF EXISTS mda_audit_stamp_txid();",)
    return Triggers(setup, tuple(create), tuple(drop), teardown, tuple(names))


TRIGGERS = {"sqlite": _sqlite(), "postgresql": _postgresql()}
# What migration 0002 made (events only), dropped here before the table changes.
OLD_DROP = {
    "sqlite": (
        "DROP TRIGGER IF EXISTS mda_auditevent_no_update;",
        "DROP TRIGGER IF EXISTS mda_auditevent_no_delete;",
    ),
    "postgresql": (
        "DROP TRIGGER IF EXISTS mda_auditevent_no_update_delete ON mda_auditevent;",
        "DROP TRIGGER IF EXISTS mda_auditevent_no_truncate ON mda_auditevent;",
    ),
}
# A frozen copy of the hashed columns (mda/audit.py may change; this migration must not).
FIELDS = (
    "id", "occurred_at", "user_id", "username", "organisation_name", "organisation_id_snapshot",
    "role", "on_behalf_of", "action", "object_type", "object_id", "case_reference",
    "region_slug", "client_address", "user_agent", "detail",
)  # fmt: skip


def _canonical(row: dict) -> bytes:
    data = {name: row[name] for name in FIELDS}
    data["occurred_at"] = row["occurred_at"].astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _hmac(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def drop_old_triggers(apps, schema_editor) -> None:
    for statement in OLD_DROP[schema_editor.connection.vendor]:
        schema_editor.execute(statement)


def seal_existing_events(apps, schema_editor) -> None:
    event_model = apps.get_model("mda", "AuditEvent")
    seal_model = apps.get_model("mda", "AuditSeal")
    events = event_model.objects.order_by("id").values(*FIELDS, "prev_hash", "hash")
    if not events.exists():
        return
    from django.utils import timezone

    from mda.audit import _audit_key  # the key only; the formulas are frozen above

    key, prev, seal_prev, now = _audit_key(), "0" * 64, "0" * 64, timezone.now()
    for position, row in enumerate(events.iterator(chunk_size=2000), start=1):
        old = _hmac(key, prev.encode("ascii") + _canonical(row))
        if row["prev_hash"] != prev or not hmac.compare_digest(old, row["hash"]):
            raise RuntimeError(
                f"Audit event #{row['id']} does not verify under the old chain; investigate "
                "(manage.py verify_audit on the previous release) before migrating."
            )
        prev = row["hash"]
        mac = _hmac(key, _canonical(row))
        event_model.objects.filter(pk=row["id"]).update(mac=mac)
        link = f"|{position}|{row['id']}|{mac}".encode("ascii")
        seal_hash = _hmac(key, seal_prev.encode("ascii") + link)
        seal_model.objects.create(
            position=position,
            event_id=row["id"],
            prev_hash=seal_prev,
            hash=seal_hash,
            sealed_at=now,
        )
        seal_prev = seal_hash


def create_triggers(apps, schema_editor) -> None:
    triggers = TRIGGERS[schema_editor.connection.vendor]
    for statement in (*triggers.setup, *triggers.create):
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor) -> None:
    triggers = TRIGGERS[schema_editor.connection.vendor]
    for statement in (*triggers.drop, *triggers.teardown):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("mda", "0004_working_day_calendar")]

    operations = [
        migrations.RunPython(drop_old_triggers, migrations.RunPython.noop, elidable=False),
        migrations.AddField(
            model_name="auditevent",
            name="mac",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="txid",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["txid"], name="mda_auditevent_txid"),
        ),
        migrations.CreateModel(
            name="AuditSeal",
            fields=[
                ("position", models.BigIntegerField(primary_key=True, serialize=False)),
                ("event_id", models.BigIntegerField(unique=True)),
                ("prev_hash", models.CharField(max_length=64)),
                ("hash", models.CharField(max_length=64)),
                ("sealed_at", models.DateTimeField()),
                ("horizon", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "audit seal",
                "verbose_name_plural": "audit seals",
                "ordering": ["position"],
            },
        ),
        migrations.CreateModel(
            name="AuditEventCase",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("event_id", models.BigIntegerField()),
                ("case_reference", models.CharField(max_length=32)),
                ("region_slug", models.CharField(max_length=50)),
            ],
            options={
                "verbose_name": "audit event case",
                "verbose_name_plural": "audit event cases",
                "indexes": [models.Index(fields=["case_reference", "region_slug"], name="mda_auditcase_ref")],
                "constraints": [models.UniqueConstraint(fields=("event_id", "case_reference"), name="mda_auditcase_uniq")],
            },
        ),
        migrations.RunPython(seal_existing_events, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name="auditevent", name="prev_hash"),
        migrations.RemoveField(model_name="auditevent", name="hash"),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
