"""Give the application's database role what it needs, and no more: ``grant_app_role ROLE``.

Run by the owner of the schema after every ``migrate`` (docker/migrate does both, once, before the
application starts), so new tables are covered. The application's role then has SELECT, INSERT,
UPDATE and DELETE on the ordinary tables, only SELECT and INSERT on the three audit tables, and
use of the sequences. It owns nothing, so it cannot alter or drop a table, disable or drop a
trigger, and (not being a superuser) cannot set ``session_replication_role`` to skip triggers.
Everything happens in one transaction: the application never sees a moment without its rights.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

AUDIT_TABLES = ("mda_auditevent", "mda_auditseal", "mda_auditeventcase")


def _role_problem(role: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreaterole, rolbypassrls, rolname = current_user "
            "FROM pg_roles WHERE rolname = %s",
            [role],
        )
        row = cursor.fetchone()
        if row is None:
            return f"There is no database role {role!r}; create it first (see the README)."
        if any(row):
            return (
                f"The role {role!r} is the owner or a superuser (or may create roles or bypass "
                "row security): the application must run as a role of its own."
            )
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
            "AND tableowner = %s",
            [role],
        )
        if cursor.fetchone()[0]:
            return f"The role {role!r} owns tables; the application's role must own nothing."
    return None


def grant_app_role(role: str) -> None:
    """Reset and grant the application role's rights on the current schema (PostgreSQL)."""
    problem = _role_problem(role)
    if problem:
        raise CommandError(problem)
    name = connection.ops.quote_name(role)
    audit = ", ".join(AUDIT_TABLES)
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {name}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {name}",
        f"REVOKE CREATE ON SCHEMA public FROM {name}",
        f"GRANT USAGE ON SCHEMA public TO {name}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}",
        f"REVOKE UPDATE, DELETE ON {audit} FROM {name}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


class Command(BaseCommand):
    help = "Grant the application's database role its rights (run as the owner, after migrate)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="The application's database role, e.g. mda_app.")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Database roles exist on PostgreSQL only.")
        grant_app_role(options["role"])
        self.stdout.write(
            f"{options['role']}: SELECT, INSERT, UPDATE, DELETE on the tables; SELECT and "
            "INSERT only on the audit tables; USAGE on the sequences."
        )
