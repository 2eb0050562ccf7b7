"""Writing the many rows of one batch in one go (the escalations a worker delivers): on PostgreSQL
one ``COPY`` per table, its new keys reserved from the table's sequence in one statement before;
elsewhere (SQLite, the embedded default) through ``bulk_create``.

Rows are plain tuples, not model instances: making an instance and compiling its INSERT cost a
batch more than the database spent storing it. The values go to the database as they are (ints,
text, booleans, UUIDs, aware datetimes, dates, None); no field's ``pre_save`` or
``get_db_prep_save`` runs on PostgreSQL, so a row gives every column that has no database default
its value, ``auto_now_add`` ones too. Only for fields whose Python value the driver stores as the
field would (no JSON, no encrypted fields).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def rows_insert(
    model: type[Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    keys: bool = False,
) -> list[Any]:
    """Insert *rows*, each the values of *fields* (attribute names: ``recipient_id``) in that
    order, into *model*'s table. With *keys*, the new primary keys in the order of *rows*
    (the model's key must be an auto field, and not among *fields*); else an empty list."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        made = model._default_manager.bulk_create(
            model(**dict(zip(fields, row, strict=True))) for row in rows
        )
        return [instance.pk for instance in made] if keys else []
    meta = model._meta
    column_of = {field.attname: field.column for field in meta.concrete_fields}
    columns = [column_of[name] for name in fields]
    new_keys: list[Any] = []
    if keys:
        pk = meta.pk
        assert pk is not None and pk.attname not in fields
        columns.insert(0, column_of[pk.attname])
        new_keys = _keys_reserve(meta.db_table, columns[0], len(rows))
    quote = connection.ops.quote_name
    sql = f"COPY {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        if keys:
            for key, row in zip(new_keys, rows, strict=True):
                copy.write_row((key, *row))
        else:
            for row in rows:
                copy.write_row(row)
    return new_keys


def _keys_reserve(table: str, column: str, count: int) -> list[int]:
    """*count* new values of *table*'s key sequence, ascending (a rolled-back batch leaves a gap,
    as any insert would)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), column, count],
        )
        return sorted(key for (key,) in cursor.fetchall())
