"""Keyset (cursor) pagination: a page costs what it shows, never what the list holds.

A page is the next ``size`` rows after (or before) the last row seen, in the list's own order, made
total by the primary key: ``WHERE (created_at, id) < (:seen_created_at, :seen_id) ORDER BY ...
LIMIT size + 1``. With an index serving the order, PostgreSQL reads about ``size`` rows whatever
the page; there is no ``COUNT(*)`` and no ``OFFSET``. The cursor is opaque (URL-safe base64 of the
boundary row's ordering values and the direction); a cursor that does not decode answers 400.

Ordering fields must not be NULL (a comparison with NULL excludes the row).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

DEFAULT_SIZE = 50
MAX_SIZE = 200


class BadCursor(ValueError):
    """The cursor was not made by this service (or the list's order changed since)."""


@dataclass
class KeysetPage:
    object_list: list[Any]
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def ordering_of(queryset: QuerySet[Any]) -> list[str]:
    """The queryset's order (its ``order_by``, else the model's), ended by the primary key."""
    fields = list(queryset.query.order_by or queryset.model._meta.ordering or [])
    if not all(isinstance(f, str) for f in fields):
        raise TypeError("keyset pagination needs an ordering by field names")
    names = [f.lstrip("-") for f in fields]
    if "pk" not in names and "id" not in names:
        descending = bool(fields) and fields[0].startswith("-")
        fields.append("-pk" if descending else "pk")
    return fields


def keyset_page(
    queryset: QuerySet[Any], *, cursor: str | None, size: int = DEFAULT_SIZE
) -> KeysetPage:
    """One page of *queryset* (already ordered) after or before *cursor* (None: the first)."""
    ordering = ordering_of(queryset)
    backwards = False
    if cursor:
        values, backwards = _decode(cursor, len(ordering))
        try:
            queryset = queryset.filter(_beyond(ordering, values, backwards=backwards))
        except (ValueError, DjangoValidationError):  # a value that does not fit its field
            raise BadCursor(cursor) from None
    if backwards:
        queryset = queryset.order_by(*[_flip(f) for f in ordering])
    elif list(queryset.query.order_by) != ordering:  # not ordered in full yet
        queryset = queryset.order_by(*ordering)
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    if not rows:
        return KeysetPage([], None, None)
    first, last = _values(rows[0], ordering), _values(rows[-1], ordering)
    has_next = more if not backwards else True
    has_previous = bool(cursor) and (more if backwards else True)
    return KeysetPage(
        rows,
        _encode(last, backwards=False) if has_next else None,
        _encode(first, backwards=True) if has_previous else None,
    )


def _flip(field: str) -> str:
    return field[1:] if field.startswith("-") else f"-{field}"


def _beyond(ordering: Sequence[str], values: Sequence[Any], *, backwards: bool) -> Q:
    """Rows after *values* in *ordering* (before, when *backwards*): a lexicographic comparison,
    with the first field's bound repeated so that an index on it is used."""
    condition = Q()
    equal = Q()
    for field, value in zip(ordering, values, strict=True):
        name = field.lstrip("-")
        descending = field.startswith("-") != backwards
        step = Q(**{f"{name}__lt" if descending else f"{name}__gt": value})
        condition |= equal & step
        equal &= Q(**{name: value})
    first = ordering[0].lstrip("-")
    first_descending = ordering[0].startswith("-") != backwards
    bound = Q(**{f"{first}__lte" if first_descending else f"{first}__gte": values[0]})
    return bound & condition


def _values(row: Model, ordering: Sequence[str]) -> list[Any]:
    values = []
    for field in ordering:
        value: Any = row
        for part in field.lstrip("-").split("__"):
            value = value.pk if part == "pk" else getattr(value, part)
        values.append(value)
    return values


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def _encode(values: Sequence[Any], *, backwards: bool) -> str:
    payload = json.dumps({"v": [_plain(v) for v in values], "b": backwards}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _decode(cursor: str, length: int) -> tuple[list[Any], bool]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        values, backwards = payload["v"], payload["b"]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
        raise BadCursor(cursor) from None
    if not isinstance(values, list) or len(values) != length or not isinstance(backwards, bool):
        raise BadCursor(cursor)
    if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values):
        raise BadCursor(cursor)
    return values, backwards


def keyset_page_of(request: HttpRequest, queryset: QuerySet[Any], *, size: int) -> KeysetPage:
    """The page of a web list that ``?cursor=`` asks for; an edited or stale cursor shows the
    first page rather than an error (the links of ``mda/includes/keyset_pagination.html``)."""
    try:
        return keyset_page(queryset, cursor=request.GET.get("cursor"), size=size)
    except BadCursor:
        return keyset_page(queryset, cursor=None, size=size)


def page_size(raw: str | None) -> int:
    """``page_size`` from a query string: 1 to MAX_SIZE; anything else is a ValueError."""
    if raw is None or raw == "":
        return DEFAULT_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_SIZE:
        raise ValueError(raw)
    return int(raw)


class KeysetPagination(BasePagination):
    """The API's lists: ``{"next": url|null, "previous": url|null, "results": [...]}``; follow
    ``next`` for more. No total count: counting every visible row costs as much as reading it."""

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def paginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        try:
            size = page_size(request.query_params.get(self.page_size_query_param))
        except ValueError:
            raise ValidationError(
                {"page_size": [_("A whole number from 1 to %(max)d.") % {"max": MAX_SIZE}]}
            ) from None
        cursor = request.query_params.get(self.cursor_query_param)
        try:
            self.page = keyset_page(queryset, cursor=cursor, size=size)
        except BadCursor:
            raise ValidationError(
                {"cursor": [_("Not a cursor of this list: follow the next or previous link.")]}
            ) from None
        self.request = request
        return self.page.object_list

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        params = self.request.query_params.copy()
        params[self.cursor_query_param] = cursor
        return self.request.build_absolute_uri(f"{self.request.path}?{urlencode(params)}")

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "next": self._link(self.page.next_cursor),
                "previous": self._link(self.page.previous_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The page after (or before) a row: from a next or previous link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1 to {MAX_SIZE} (default {DEFAULT_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_SIZE},
            },
        ]
