"""Each request in one transaction with its one audit event, retried once after a deadlock; the
connection and worker settings that keep requests from failing."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import DatabaseError, OperationalError, connection, connections
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from rest_framework.response import Response
from rest_framework.views import APIView

from mda import views
from mda.audit import audit_record
from mda.models import AuditEvent, Region
from mda.transactions import RequestTransactionMiddleware, transient_sqlstate
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db(transaction=True)


class _Deadlock(Exception):
    sqlstate = "40P01"


def _deadlock() -> OperationalError:
    error = OperationalError("deadlock detected")
    error.__cause__ = _Deadlock()
    return error


def _through_middleware(view: Callable[..., Any], request: HttpRequest | None = None) -> Any:
    request = request or RequestFactory().post(
        "/x/", data='{"a": 1}', content_type="application/json"
    )
    middleware = RequestTransactionMiddleware(lambda r: HttpResponse())
    return middleware.process_view(request, view, (), {})


def test_a_request_rolled_back_for_a_deadlock_runs_again_and_only_the_second_run_stays() -> None:
    runs: list[bytes] = []

    def view(request: HttpRequest) -> HttpResponse:
        runs.append(request.body)
        RegionFactory(slug=f"run-{len(runs)}")
        audit_record(actor=None, action="create", object_type="region")
        if len(runs) == 1:
            raise _deadlock()
        return HttpResponse("done")

    response = _through_middleware(view)

    assert response.content == b"done"
    assert runs == [b'{"a": 1}', b'{"a": 1}']  # the body is there for the second run too
    assert list(Region.objects.values_list("slug", flat=True)) == ["run-2"]
    assert AuditEvent.objects.count() == 1


def test_a_second_deadlock_is_an_error_and_leaves_nothing() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        RegionFactory()
        raise _deadlock()

    with pytest.raises(OperationalError):
        _through_middleware(view)
    assert not Region.objects.exists()


def test_other_database_errors_are_not_retried() -> None:
    runs: list[int] = []

    def view(request: HttpRequest) -> HttpResponse:
        runs.append(1)
        raise DatabaseError("disk full")

    with pytest.raises(DatabaseError):
        _through_middleware(view)
    assert runs == [1]


def test_the_api_hands_a_deadlock_to_the_retry_instead_of_answering_500() -> None:
    runs: list[int] = []

    class Flaky(APIView):
        authentication_classes: list[Any] = []
        permission_classes: list[Any] = []

        def post(self, request: Any) -> Response:
            runs.append(1)
            if len(runs) == 1:
                raise _deadlock()
            return Response({"ok": True, "a": request.data["a"]})

    response = _through_middleware(Flaky.as_view())

    assert (response.status_code, response.data) == (200, {"ok": True, "a": 1})
    assert runs == [1, 1]


def test_a_real_postgresql_deadlock_between_two_requests_ends_with_both_done() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer: two requests cannot deadlock")
    first, second = RegionFactory(slug="first"), RegionFactory(slug="second")
    both_hold_one = threading.Barrier(2)
    answers: list[int] = []
    failures: list[BaseException] = []

    def view_locking(order: list[int]) -> Callable[..., HttpResponse]:
        attempts: list[int] = []

        def view(request: HttpRequest) -> HttpResponse:
            attempts.append(1)
            Region.objects.select_for_update().get(pk=order[0])
            if len(attempts) == 1:
                both_hold_one.wait(timeout=30)  # each now waits for the other's row
            Region.objects.select_for_update().get(pk=order[1])
            Region.objects.filter(pk=order[0]).update(name=f"by {order[0]}")
            return HttpResponse(status=204)

        return view

    def run(order: list[int]) -> None:
        try:
            answers.append(_through_middleware(view_locking(order)).status_code)
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=([first.pk, second.pk],)),
        threading.Thread(target=run, args=([second.pk, first.pk],)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert answers == [204, 204]
    assert set(Region.objects.values_list("name", flat=True)) == {
        f"by {first.pk}",
        f"by {second.pk}",
    }


def test_the_sqlstate_of_a_deadlock_or_serialisation_failure_is_found_behind_the_error() -> None:
    serialisation = OperationalError("could not serialize")
    serialisation.__cause__ = type("E", (Exception,), {"sqlstate": "40001"})()

    assert transient_sqlstate(_deadlock()) == "40P01"
    assert transient_sqlstate(serialisation) == "40001"
    assert transient_sqlstate(OperationalError("connection refused")) is None


def test_health_checks_run_outside_a_transaction_to_answer_while_the_database_is_down() -> None:
    for view in (views.healthz, views.readyz):
        assert "default" in view._non_atomic_requests  # type: ignore[attr-defined]
    assert settings.MIDDLEWARE[-1] == "mda.transactions.RequestTransactionMiddleware"


def test_persistent_connections_are_checked_before_reuse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/mda")
    base = importlib.reload(importlib.import_module("config.settings.base"))
    try:
        database = base.DATABASES["default"]
        assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (60, True)
        assert database["ATOMIC_REQUESTS"] is True
    finally:
        monkeypatch.undo()
        importlib.reload(base)


@pytest.mark.parametrize(
    ("environment", "expected"),
    [({}, ("gthread", 2, 8)), ({"WEB_CONCURRENCY": "3", "WEB_THREADS": "4"}, ("gthread", 3, 4))],
)
def test_gunicorn_serves_with_threads_sized_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: tuple[Any, ...]
) -> None:
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("WEB_THREADS", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    config = importlib.reload(importlib.import_module("config.gunicorn"))

    assert (config.worker_class, config.workers, config.threads) == expected


def test_gunicorn_refuses_a_thread_count_that_is_not_a_number(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WEB_THREADS", "many")
    with pytest.raises(SystemExit, match="WEB_THREADS"):
        importlib.reload(importlib.import_module("config.gunicorn"))
