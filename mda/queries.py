"""Reading by key: one row by a unique key (``one_or_none``), many rows by a batch of keys
(``__in_array``, see ``InArray``).

``queryset.filter(pk=...).first()`` orders by the model's default ordering (or the key) before it
takes the first row. For a unique key that order decides nothing, yet Django still compiles it:
it matches the ORDER BY against every selected column, hashing each, which for a row read with
``select_related`` (a case with its region, organisation and data key: some 40 columns) costs
about 0.2 ms, a third of compiling the whole statement; an ordering over a relation (an
organisation's region name) also adds a join. Every case page and API request starts with such
a read, so it reads without the order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Field, Lookup, Model, QuerySet
from django.db.models.lookups import In

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType

_M = TypeVar("_M", bound=Model)


def one_or_none(queryset: QuerySet[_M]) -> _M | None:
    """The row *queryset* finds by a unique key, or None when it finds none."""
    return next(iter(queryset.order_by()[:1]), None)


class InArray(Lookup):
    """``field__in_array=values``: the rows whose *field* is one of *values*, as ``__in`` finds
    them, sent as ONE array parameter on PostgreSQL (``id = ANY(%s::uuid[])`` for a UUID key;
    the cast is the field's own column type).

    ``__in`` sends one placeholder per value. For the hundreds of keys of a batch (the notices a
    worker delivers, three statements a batch) Django compiles each value as a parameter of its
    own and psycopg then parses a statement with hundreds of placeholders: delivering 8,000
    notices took 1.73 s with ``__in`` and 1.42 s with this. Elsewhere (SQLite) it is ``__in``."""

    lookup_name = "in_array"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[Any]:
        field = self.lhs.output_field
        return [field.get_prep_value(value) for value in self.rhs]

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _AsSqlType:
        return In(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _AsSqlType:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(v, connection, prepared=True) for v in self.rhs]
        return f"{lhs} = ANY(%s::{field.db_type(connection)}[])", (*lhs_params, values)


Field.register_lookup(InArray)
