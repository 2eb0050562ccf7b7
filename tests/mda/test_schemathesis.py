"""Property-based API testing: every operation in /api/schema/, fed generated requests.

Parametrized over whatever the schema holds, so endpoints added later are covered without
touching this file. Requests go to the Django WSGI app in this process, inside the test's
transaction, authenticated with a real bearer token of the coordinator persona.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mda.services import api_token_issue
from tests.conftest import Cast


@pytest.fixture
def wsgi_app(db: None) -> Iterator[WSGIHandler]:
    """Django's WSGI app, minus the end-of-request connection closing (as in Django's test
    client): closing would end the test's transaction and with it the test data."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app: WSGIHandler) -> BaseSchema:
    loaded = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    # Generated requests only (valid and invalid), bounded by max_examples below; the coverage
    # phase's exhaustive boundary cases would take minutes over every operation.
    loaded.config.phases.update(phases=["examples", "fuzzing"])
    return loaded


@pytest.fixture
def coordinator_token(cast: Cast) -> str:
    _token, raw = api_token_issue(user=cast.coordinator.user, name="schemathesis")
    return raw


schema = schemathesis.pytest.from_fixture("api_schema")

# What the API promises: never a 5xx, and every answer (status code, body, content type, headers)
# as the schema documents it, to valid requests and to invalid ones alike. Bounded: a few
# examples per operation, so the whole schema runs in well under a minute.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
]


@settings(
    max_examples=5,
    # The same examples on every run, so CI cannot fail by the luck of a draw; explore with
    # fresh ones locally by MDA_SCHEMATHESIS_EXPLORE=1 (a failure names its request to repeat).
    derandomize=os.environ.get("MDA_SCHEMATHESIS_EXPLORE", "") != "1",
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@schema.parametrize()
def test_every_operation_answers_without_server_errors_and_as_documented(
    case: Case, coordinator_token: str
) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {coordinator_token}"}, checks=CHECKS)
