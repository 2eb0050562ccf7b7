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
from typing import TYPE_CHECKING, Any

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
    """*user*'s memberships with their organisations, in a fixed order."""
    from mda.models import Membership

    read = _read.get()
    if read is not None and user.pk in read:
        return read[user.pk]
    held = tuple(
        Membership.objects.filter(user=user).select_related("organisation__region").order_by("pk")
    )
    if read is not None:
        read[user.pk] = held
    return held


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
