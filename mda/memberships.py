"""A user's memberships, read once per request.

The access policy (where a user coordinates or chairs, and for which organisations they work as a
partner) and the audit trail (the organisation and role an event is made in) both start from the
acting user's memberships, and one request used to read them three times. Inside
``memberships_read_once()`` (``MembershipsReadOnceMiddleware`` opens it around the whole request,
right after authentication: the view, its page's navigation, and the error pages of a 403 or 404,
which Django renders outside the view) they are read once per user and shared. A membership or
organisation saved or deleted meanwhile drops everything read, so a check made after such a change
reads afresh. Outside the block (tasks, commands, the shell) every call reads the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from mda.models import Membership, User

_read: ContextVar[dict[Any, tuple[Membership, ...]] | None] = ContextVar(
    "mda_memberships_read", default=None
)


@contextmanager
def memberships_read_once() -> Iterator[None]:
    """Within the block each user's memberships are read from the database once."""
    if _read.get() is not None:  # nested: the outer block's reads stand
        yield
        return
    token = _read.set({})
    try:
        yield
    finally:
        _read.reset(token)


def memberships_held(user: User) -> tuple[Membership, ...]:
    """*user*'s memberships with their organisations and regions, in a fixed order."""
    read = _read.get()
    if read is not None and user.pk in read:
        return read[user.pk]
    held = _statement(connections[DEFAULT_DB_ALIAS]).read(user.pk)
    if read is not None:
        read[user.pk] = held
    return held


@dataclass(frozen=True)
class _Statement:
    """The memberships query (each membership with its organisation and that organisation's
    region, by key), compiled by the ORM once per database and run as it compiled it.

    Every request reads a user's memberships, and for a statement this small the ORM's building
    and compiling cost twice the database's answer. What the ORM would do with the rows is done
    the same way here: its converters, then each model's ``from_db``. ``tests/mda/
    test_memberships.py`` holds the result equal to the ORM's, field by field."""

    sql: str
    converters: dict[int, tuple[list[Any], Any]]

    def read(self, user_id: Any) -> tuple[Membership, ...]:
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [user_id])
            rows = cursor.fetchall()
        return tuple(self._membership(connection, row) for row in rows)

    def _membership(self, connection: Any, row: tuple[Any, ...]) -> Membership:
        values = list(row)
        for position, (functions, expression) in self.converters.items():
            for convert in functions:
                values[position] = convert(values[position], expression, connection)
        from mda.models import Membership, Organisation, Region  # the app registry is ready now

        made = []
        for model in (Membership, Organisation, Region):
            names = [f.attname for f in model._meta.concrete_fields]
            made.append(model.from_db(connection.alias, names, values[: len(names)]))
            values = values[len(names) :]
        membership, organisation = cast(Membership, made[0]), cast(Organisation, made[1])
        region = cast(Region, made[2])
        Membership._meta.get_field("organisation").set_cached_value(membership, organisation)
        Organisation._meta.get_field("region").set_cached_value(organisation, region)
        return membership


_statements: dict[str, _Statement] = {}


def _statement(connection: Any) -> _Statement:
    compiled = _statements.get(connection.vendor)
    if compiled is not None:
        return compiled
    from mda.models import Membership, Organisation, Region

    query = (
        Membership.objects.filter(user_id=0)
        .select_related("organisation__region")
        .order_by("pk")
        .query
    )
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    columns = [expression for expression, _sql, _alias in compiler.select]
    widths = sum(len(m._meta.concrete_fields) for m in (Membership, Organisation, Region))
    if list(params) != [0] or len(columns) != widths:
        raise RuntimeError("the memberships query no longer compiles as expected")
    compiled = _Statement(sql, compiler.get_converters(columns))
    _statements[connection.vendor] = compiled
    return compiled


def _forget(**_kwargs: object) -> None:
    read = _read.get()
    if read:
        read.clear()


class MembershipsReadOnceMiddleware:
    """The request, from authentication on, in ``memberships_read_once()``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with memberships_read_once():
            return self.get_response(request)


for _signal in (post_save, post_delete):
    for _sender in ("mda.Membership", "mda.Organisation"):
        _signal.connect(_forget, sender=_sender, dispatch_uid=f"mda.memberships.{_sender}")
