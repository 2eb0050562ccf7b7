"""PostgreSQL: the audit event sequence steps by ``mda.audit.ID_BLOCK``, so that one ``nextval``
reserves a block of ids that a connection then hands out one by one (see ``mda.audit``)."""

from django.db import migrations

ID_BLOCK = 32  # mda.audit.ID_BLOCK at the time of this migration


def _increment(step: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence('mda_auditevent', 'id')")
            (sequence,) = cursor.fetchone()
            cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY {int(step)}")

    return run


class Migration(migrations.Migration):
    dependencies = [("mda", "0008_audit_action_search")]

    operations = [migrations.RunPython(_increment(ID_BLOCK), _increment(1))]
