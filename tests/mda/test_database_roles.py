"""Least privilege on PostgreSQL: the application's role can append to the audit trail and read
it, and nothing more: no UPDATE or DELETE, no switching the triggers off.

The role is made once per cluster by a superuser (``.ci/run``; on a developer's machine
``CREATE ROLE mda_app LOGIN PASSWORD 'mda_app'``) and named by MDA_APP_DB_ROLE and
MDA_APP_DB_PASSWORD; the test grants it its rights on the test database with the same command the
production migrate job runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from mda.audit import audit_record, audit_seal
from mda.audit_verify import audit_verify
from mda.models import AuditAction, AuditEvent
from tests.conftest import REQUIRE_SERVICES

pytestmark = pytest.mark.django_db(transaction=True)

ROLE = os.environ.get("MDA_APP_DB_ROLE", "")
PASSWORD = os.environ.get("MDA_APP_DB_PASSWORD", "")


@pytest.fixture
def app_role() -> str:
    if connection.vendor != "postgresql":
        pytest.skip("database roles exist on PostgreSQL only")
    if not ROLE:
        message = "MDA_APP_DB_ROLE (and MDA_APP_DB_PASSWORD) name the application's role"
        if REQUIRE_SERVICES:
            pytest.fail(f"{message}; CI must set them (.ci/run creates the role).")
        pytest.skip(message)
    call_command("grant_app_role", ROLE)
    return ROLE


@pytest.fixture
def as_app(app_role: str) -> Iterator[psycopg.Connection]:
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=app_role,
        password=PASSWORD,
        autocommit=True,
    ) as conn:
        yield conn


def _refused(conn: psycopg.Connection, sql: str) -> str:
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as error:
        conn.execute(sql)
    return str(error.value)


def _events_and_seals() -> list[AuditEvent]:
    events = [audit_record(actor=None, action=AuditAction.VIEW) for _ in range(3)]
    assert audit_seal() == 3
    return events


def test_the_application_role_cannot_change_or_remove_audit_rows(as_app) -> None:
    events = _events_and_seals()

    tables = {"mda_auditevent": "id", "mda_auditseal": "position", "mda_auditeventcase": "id"}
    for table, column in tables.items():
        update = f"UPDATE {table} SET {column} = {column}"  # noqa: S608
        delete = f"DELETE FROM {table}"  # noqa: S608
        assert "permission denied" in _refused(as_app, update)
        assert "permission denied" in _refused(as_app, delete)
        assert "permission denied" in _refused(as_app, f"TRUNCATE {table}")
    assert as_app.execute("SELECT count(*) FROM mda_auditevent").fetchone() == (len(events),)
    result = audit_verify()
    assert (result.ok, result.checked) == (True, 3)


def test_the_application_role_cannot_switch_the_triggers_off(as_app) -> None:
    _events_and_seals()

    assert "session_replication_role" in _refused(as_app, "SET session_replication_role = replica")
    assert "must be owner" in _refused(as_app, "ALTER TABLE mda_auditevent DISABLE TRIGGER ALL")
    assert "must be owner" in _refused(
        as_app, "DROP TRIGGER mda_auditevent_no_update_delete ON mda_auditevent"
    )
    assert "must be owner" in _refused(as_app, "DROP TABLE mda_auditseal")
    assert audit_verify().ok


def test_the_application_role_keeps_its_rights_on_ordinary_tables(as_app) -> None:
    as_app.execute("UPDATE mda_region SET name = name WHERE false")
    as_app.execute("DELETE FROM django_session WHERE false")


def test_the_application_records_seals_and_verifies_under_its_own_role(app_role: str) -> None:
    """The real code, in another process connected as the application's role."""
    db = connection.settings_dict
    url = f"postgres://{app_role}:{PASSWORD}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/x"
    script = (
        "import django; django.setup()\n"
        "from mda.audit import audit_collect, audit_record, audit_seal\n"
        "from mda.audit_verify import audit_verify\n"
        "with audit_collect():\n"
        "    audit_record(actor=None, action='view', object_type='case')\n"
        "    audit_record(actor=None, action='view', object_type='note')\n"
        "audit_record(actor=None, action='create', object_type='note')\n"
        "print(audit_seal(), audit_verify().ok)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": url,
        "MDA_TEST_DB_NAME": str(db["NAME"]),
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2", "True"]
    assert AuditEvent.objects.count() == 2


def test_granting_refuses_a_role_that_owns_the_tables(app_role: str) -> None:
    with pytest.raises(CommandError, match="owner or a superuser"):
        call_command("grant_app_role", connection.settings_dict["USER"])
    with pytest.raises(CommandError, match="no database role"):
        call_command("grant_app_role", "no_such_role_here")
