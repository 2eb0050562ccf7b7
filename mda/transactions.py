"""Each request in one database transaction, with its one audit event; retried once after a
deadlock or serialisation failure.

``RequestTransactionMiddleware`` (the last middleware) runs the view in ``audit_collect()``: one
transaction around the view and the rendering of its response, in which everything the request
recorded is written as one audit event just before the commit (mda/audit.py). When PostgreSQL
rolls that transaction back for a deadlock (SQLSTATE 40P01) or a serialisation failure (40001),
nothing of it remains and nothing was sent yet: the response is only returned after the commit,
mail and tasks go out in ``on_commit`` callbacks, which a rollback discards. So the view runs once
more, on the same request (its body is kept for that). A second failure is an error as before.

Views marked with ``django.db.transaction.non_atomic_requests`` (the health checks, which must
answer while the database is down) run as they are.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException

from mda.audit import audit_collect
from mda.memberships import memberships_read_once

logger = logging.getLogger(__name__)

RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure


def transient_sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE of a deadlock or serialisation failure behind *error*, else None."""
    seen: BaseException | None = error
    while seen is not None:
        state = getattr(seen, "sqlstate", None)
        if state in RETRYABLE_SQLSTATES:
            return str(state)
        seen = seen.__cause__
    return None


def _keep_body(request: HttpRequest) -> None:
    """Read the body into memory now, so a second run of the view can parse it again."""
    # RawPostDataException: a multipart form already parsed by an earlier middleware; its
    # request.POST is cached and serves the second run.
    with contextlib.suppress(RawPostDataException):
        request.body  # noqa: B018 - cached on the request; DRF re-reads it from there


class RequestTransactionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., HttpResponse],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if DEFAULT_DB_ALIAS in getattr(view, "_non_atomic_requests", set()):
            return None
        _keep_body(request)
        owns_transaction = not connection.in_atomic_block  # tests may wrap us in theirs
        try:
            return self._run(request, view, args, kwargs)
        except DatabaseError as error:
            state = transient_sqlstate(error)
            if state is None or not owns_transaction:
                raise
            logger.warning(
                "Request %s %s rolled back (SQLSTATE %s); running it once more",
                request.method,
                request.path,
                state,
            )
        return self._run(request, view, args, kwargs)

    @staticmethod
    def _run(
        request: HttpRequest,
        view: Callable[..., HttpResponse],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> HttpResponse:
        with memberships_read_once(), audit_collect():
            response = view(request, *args, **kwargs)
            render = getattr(response, "render", None)
            if callable(render):  # DRF and template responses: rendered inside the transaction
                response = render()
        return response
