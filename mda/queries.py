"""Reading one row by a unique key.

``queryset.filter(pk=...).first()`` orders by the model's default ordering (or the key) before it
takes the first row. For a unique key that order decides nothing, yet Django still compiles it:
it matches the ORDER BY against every selected column, hashing each, which for a row read with
``select_related`` (a case with its region, organisation and data key: some 40 columns) costs
about 0.2 ms, a third of compiling the whole statement; an ordering over a relation (an
organisation's region name) also adds a join. Every case page and API request starts with such
a read, so it reads without the order.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

_M = TypeVar("_M", bound=Model)


def one_or_none(queryset: QuerySet[_M]) -> _M | None:
    """The row *queryset* finds by a unique key, or None when it finds none."""
    return next(iter(queryset.order_by()[:1]), None)
