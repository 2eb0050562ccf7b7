"""Liveness and readiness probes, as a load balancer or an orchestrator reads them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from config.celery import app as celery_app
from mda.services import heartbeat_record

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # port 1: nothing listens, refused at once


def readyz() -> tuple[int, dict[str, Any]]:
    response = Client().get("/readyz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def test_healthz_answers_ok_without_asking_anything_else() -> None:
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_database_and_broker_up() -> None:
    status, body = readyz()

    assert status == 200
    assert body["status"] == "ready"
    assert body["components"]["database"]["status"] == "up"
    assert body["components"]["broker"]["status"] == "up"


def test_readyz_answers_503_and_names_the_broker_when_it_is_unreachable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(celery_app.conf, "broker_url", UNREACHABLE_REDIS)

    status, body = readyz()

    assert status == 503
    assert body["status"] == "not_ready"
    assert body["components"]["broker"]["status"] == "down"
    assert body["components"]["broker"]["transport"] == "redis"
    assert body["components"]["database"]["status"] == "up"
    assert "127.0.0.1" not in str(body)  # a public probe does not describe the network


def test_readyz_answers_503_and_names_the_database_when_it_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class BrokenConnection:
        vendor = "broken"

        def cursor(self) -> None:
            raise OperationalError("could not connect to server")

    monkeypatch.setattr("mda.views.connection", BrokenConnection())

    status, body = readyz()

    assert status == 503
    assert body["components"]["database"] == {"status": "down", "error": "OperationalError"}
    assert body["components"]["broker"]["status"] == "up"


def test_readyz_reports_the_workers_heartbeat_without_depending_on_it() -> None:
    _status, before = readyz()
    assert before["components"]["worker"]["status"] == "unknown"

    heartbeat_record(name="worker")
    status, after = readyz()

    assert status == 200
    assert after["components"]["worker"]["status"] == "up"


def test_readyz_calls_an_old_heartbeat_stale(time_machine: Any) -> None:
    heartbeat_record(name="worker")
    time_machine.move_to(timezone.now() + timedelta(minutes=10))

    status, body = readyz()

    assert status == 200  # a quiet worker does not take the web service out of rotation
    assert body["components"]["worker"]["status"] == "stale"
    assert body["components"]["worker"]["last_heartbeat_seconds_ago"] >= 600
