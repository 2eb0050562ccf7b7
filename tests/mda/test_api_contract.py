"""The API answers as its OpenAPI schema says: times in the documented form, a DELETE's status,
the 400 of a bad filter, and a ``page_size`` that is not a number from 1 to 200."""

from __future__ import annotations

import copy
import functools
from typing import Any

import jsonschema_rs
import pytest
import yaml
from django.test import Client

from tests.conftest import Cast
from tests.scheduling.meetings_support import World, draft_agenda, make_series, world  # noqa: F401


@pytest.fixture
def schema(db: None) -> dict[str, Any]:
    """The OpenAPI document as the service serves it, a copy for each test."""
    return copy.deepcopy(_served_schema())


@functools.cache
def _served_schema() -> dict[str, Any]:
    # Generating the document takes a second and it depends on the code alone (no data), so the
    # first test's answer serves the module.
    return yaml.safe_load(Client().get("/api/schema/").content)


def _ref(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _documented(schema: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    return schema["paths"][path][method]["responses"]


# --- Times of day --------------------------------------------------------------------------------


def test_a_series_times_come_back_in_the_form_the_schema_documents(
    cast: Cast, api: Any, schema: dict[str, Any]
) -> None:
    series = make_series(cast)
    body = api("coordinator").get(f"/api/v1/meeting-series/{series.pk}/").json()
    documented = _documented(schema, "/api/v1/meeting-series/{series_id}/", "get")
    properties = _ref(schema, documented["200"]["content"]["application/json"]["schema"])[
        "properties"
    ]
    assert body["start_time"] == "09:30:00"
    for name in ("start_time", "deadline_time"):
        # The validator schemathesis uses, formats included: `format: time` would want an offset.
        validator = jsonschema_rs.validator_for(properties[name], validate_formats=True)
        assert validator.is_valid(body[name]), (name, body[name], properties[name])


def test_a_series_takes_a_local_time_with_or_without_seconds(cast: Cast, api: Any) -> None:
    client = api("coordinator")
    series = make_series(cast)
    url = f"/api/v1/meeting-series/{series.pk}/"
    assert client.patch(url, {"start_time": "10:00"}, format="json").json()["start_time"] == (
        "10:00:00"
    )
    response = client.patch(url, {"start_time": "10:00:00+01:00"}, format="json")
    assert response.status_code == 400
    assert "start_time" in response.json()["fields"]
    assert client.get(url).json()["start_time"] == "10:00:00"


# --- DELETE: 204 and no body ---------------------------------------------------------------------


def test_revoking_the_calendar_feed_answers_204_without_a_body(
    cast: Cast, api: Any, schema: dict[str, Any]
) -> None:
    client = api("police")
    assert client.post("/api/v1/calendar-feed/").status_code == 201
    response = client.delete("/api/v1/calendar-feed/")
    assert (response.status_code, response.content) == (204, b"")
    assert client.get("/api/v1/calendar-feed/").json()["active"] is False
    documented = _documented(schema, "/api/v1/calendar-feed/", "delete")
    assert "204" in documented and "200" not in documented


def test_taking_a_case_off_the_agenda_answers_204_without_a_body(
    world: World,  # noqa: F811
    api: Any,
    schema: dict[str, Any],
) -> None:
    client = api("coordinator")
    item = world.item("A")
    meeting_url = f"/api/v1/meetings/{world.meeting.pk}/"
    response = client.delete(f"{meeting_url}items/{item.pk}/")
    assert (response.status_code, response.content) == (204, b"")
    cases = {slot["case"] for slot in client.get(meeting_url).json()["items"]}
    assert str(world.cases["A"].pk) not in cases and str(world.cases["B"].pk) in cases
    documented = _documented(schema, "/api/v1/meetings/{meeting_id}/items/{item_id}/", "delete")
    assert "204" in documented and "200" not in documented


# --- Bad filters: a documented 400 ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/api/v1/meetings/", {"from": "gisteren"}, "from"),
        ("/api/v1/meetings/", {"to": "2026-13-01"}, "to"),
        ("/api/v1/agreements/", {"status": "lost"}, "status"),
    ],
)
def test_a_bad_filter_answers_the_documented_400(
    cast: Cast, api: Any, schema: dict[str, Any], path: str, query: dict[str, str], field: str
) -> None:
    response = api("coordinator").get(path, query)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    documented = _documented(schema, path, "get")
    assert _ref(schema, documented["400"]["content"]["application/json"]["schema"])["required"] == [
        "code",
        "message",
    ]


# --- page_size -----------------------------------------------------------------------------------


def _paged_lists(schema: dict[str, Any]) -> list[str]:
    return sorted(
        path
        for path, item in schema["paths"].items()
        if "{" not in path
        and any(p["name"] == "page_size" for p in item.get("get", {}).get("parameters", []))
    )


PRIVACY_OFFICERS_LISTS = {"/api/v1/destructions/", "/api/v1/subject-access/"}  # theirs alone


def test_every_list_refuses_a_page_size_that_is_not_a_number_from_1_to_200(
    cast: Cast, api: Any, schema: dict[str, Any]
) -> None:
    lists = _paged_lists(schema)
    assert {"/api/v1/agreements/", "/api/v1/cases/", "/api/v1/organisations/"} <= set(lists)
    coordinator, privacy = api("coordinator"), api("privacy")
    refused = {}
    for path in lists:
        client = privacy if path in PRIVACY_OFFICERS_LISTS else coordinator
        for size in ("abc", "0", "-1", "2.5", "201", " 5"):
            response = client.get(path, {"page_size": size})
            refused[(path, size)] = response.status_code
            if response.status_code == 400:
                assert "page_size" in response.json()["fields"], (path, size)
        assert client.get(path, {"page_size": "200"}).status_code == 200
    assert set(refused.values()) == {400}, {k: v for k, v in refused.items() if v != 400}


def test_every_list_documents_page_size_as_a_number_from_1_to_200(schema: dict[str, Any]) -> None:
    for path in _paged_lists(schema):
        parameter = next(
            p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "page_size"
        )
        assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": 200}, path
        assert "400" in schema["paths"][path]["get"]["responses"], path
