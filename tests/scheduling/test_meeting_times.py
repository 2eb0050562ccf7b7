"""Unusual meeting times are confirmed, not refused: an emergency meeting at night or on a
weekend, a series outside working hours (``MDA_WORKING_HOURS``, default 08:00-18:00 on working
days), and a meeting or series at the same time as another of the region. The page asks with a
confirmation step; the API answers 409 ``confirmation_required`` until ``confirm: true``."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from mda.models import AuditEvent
from mda.working_hours import check_working_hours, parse_working_hours
from scheduling.models import Meeting, MeetingSeries, MeetingType
from tests.conftest import Cast
from tests.scheduling import meetings_support
from tests.scheduling.meetings_support import World

world = meetings_support.world

EMERGENCY = "/api/v1/meetings/emergency/"
SERIES = "/api/v1/meeting-series/"


def _emergency(world: World, starts_at: str, **changes: Any) -> dict[str, Any]:
    return {
        "case": str(world.cases["A"].pk),
        "starts_at": starts_at,
        "duration_minutes": 60,
        "online_link": "https://meet.example.org/spoed",
        **changes,
    }


def _emergencies() -> int:
    return Meeting.objects.filter(kind=MeetingType.EMERGENCY).count()


@pytest.mark.parametrize(
    "starts_at",
    [
        "2026-03-21T01:30:00+01:00",  # the night after (Friday 20 March is 'now')
        "2026-03-21T11:00:00+01:00",  # Saturday
        "2026-03-20T17:30:00+01:00",  # ends 18:30, after working hours
    ],
)
def test_an_emergency_meeting_outside_working_hours_asks_to_confirm(
    starts_at: str, world: World, api: Any
) -> None:
    client = api("coordinator")
    response = client.post(EMERGENCY, _emergency(world, starts_at), format="json")
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "confirmation_required"
    assert [w["code"] for w in body["warnings"]] == ["outside_working_hours"]
    assert "08:00–18:00" in body["warnings"][0]["message"]
    assert _emergencies() == 0
    confirmed = client.post(EMERGENCY, _emergency(world, starts_at, confirm=True), format="json")
    assert confirmed.status_code == 201, confirmed.content
    assert _emergencies() == 1
    audit = AuditEvent.objects.get(object_type="meeting", action="create")
    assert audit.detail["confirmed"] == ["outside_working_hours"]


def test_an_emergency_meeting_in_working_hours_and_free_needs_no_confirmation(
    world: World, api: Any
) -> None:
    response = api("coordinator").post(
        EMERGENCY, _emergency(world, "2026-03-20T14:00:00+01:00"), format="json"
    )
    assert response.status_code == 201, response.content


def test_an_emergency_meeting_at_the_time_of_the_case_conference_names_it(
    world: World, api: Any, time_machine: Any
) -> None:
    # The series meets on Tuesday 24 March 09:30-12:30; it is Monday morning.
    time_machine.move_to("2026-03-23 10:00 +01:00", tick=False)
    response = api("coordinator").post(
        EMERGENCY, _emergency(world, "2026-03-24T12:00:00+01:00"), format="json"
    )
    assert response.status_code == 409
    (warning,) = response.json()["warnings"]
    assert warning["code"] == "overlapping_meeting"
    assert warning["message"] == "It overlaps Casusoverleg Noord, 24 Mar 2026 09:30–12:30."


@override_settings(MDA_WORKING_HOURS="07:00-19:00")
def test_working_hours_are_a_setting(world: World, api: Any) -> None:
    response = api("coordinator").post(
        EMERGENCY, _emergency(world, "2026-03-20T17:30:00+01:00"), format="json"
    )
    assert response.status_code == 201, response.content


def test_the_emergency_page_asks_and_saves_only_the_time_it_warned_about(
    world: World, web: Any
) -> None:
    client = web("coordinator")
    url = f"/cases/{world.cases['A'].pk}/emergency-meeting/"
    form = {"starts_at": "2026-03-21T01:30", "duration_minutes": "60", "place": "ZVH"}
    warned = client.post(url, form)
    assert warned.status_code == 409
    html = warned.content.decode()
    assert "outside working hours" in html
    token = re.search(r'name="confirm" value="([^"]+)"', html)
    assert token is not None
    assert 'value="2026-03-21T01:30"' in html  # the input is kept
    moved = client.post(url, {**form, "starts_at": "2026-03-21T02:30", "confirm": token[1]})
    assert moved.status_code == 409  # another time than the one confirmed: asked again
    assert _emergencies() == 0
    done = client.post(url, {**form, "confirm": token[1]})
    assert done.status_code == 302
    assert _emergencies() == 1


def _series(**changes: Any) -> dict[str, Any]:
    return {
        "region": "noord",
        "meeting_type": "triage",
        "name": "Triage Noord",
        "weekday": 1,
        "start_time": "13:00",
        "duration_minutes": 60,
        "place": "ZVH Noord",
        "starts_on": "2026-04-01",
        **changes,
    }


def test_two_series_of_a_region_at_the_same_hour_ask_to_confirm(world: World, api: Any) -> None:
    client = api("coordinator")
    assert client.post(SERIES, _series(), format="json").status_code == 201  # after 12:30
    clash = _series(name="Triage Noord 2", start_time="10:00")
    response = client.post(SERIES, clash, format="json")
    assert response.status_code == 409
    (warning,) = response.json()["warnings"]
    assert warning["code"] == "overlapping_series"
    assert "Casusoverleg Noord (Tuesday 09:30–12:30)" in warning["message"]
    assert not MeetingSeries.objects.filter(name="Triage Noord 2").exists()
    confirmed = client.post(SERIES, {**clash, "confirm": True}, format="json")
    assert confirmed.status_code == 201, confirmed.content
    assert "confirm" not in confirmed.json()
    other_day = client.post(SERIES, _series(name="Triage 3", weekday=3), format="json")
    assert other_day.status_code == 201


def test_changing_a_series_asks_only_when_its_time_becomes_unusual(world: World, api: Any) -> None:
    client = api("coordinator")
    url = f"{SERIES}{world.series.pk}/"
    assert client.patch(url, {"place": "Zaal 3"}, format="json").status_code == 200
    evening = client.patch(url, {"start_time": "17:00"}, format="json")
    assert evening.status_code == 409
    assert [w["code"] for w in evening.json()["warnings"]] == ["outside_working_hours"]
    world.series.refresh_from_db()
    assert f"{world.series.start_time:%H:%M}" == "09:30"
    done = client.patch(url, {"start_time": "17:00", "confirm": True}, format="json")
    assert done.status_code == 200
    assert done.json()["start_time"].startswith("17:00")


def test_the_series_page_has_a_confirmation_step(world: World, web: Any, cast: Cast) -> None:
    client = web("coordinator")
    form = {
        "region": str(cast.north.pk),
        "kind": "triage",
        "name": "Vroege triage",
        "weekday": "1",
        "start_time": "07:00",
        "duration_minutes": "60",
        "place": "ZVH Noord",
        "holiday_rule": "next",
        "weeks_ahead": "4",
        "slot_minutes": "15",
        "deadline_working_days": "1",
        "deadline_time": "12:00",
        "starts_on": "2026-04-01",
        "active": "on",
    }
    warned = client.post("/meetings/series/new/", form)
    assert warned.status_code == 409
    html = warned.content.decode()
    token = re.search(r'name="confirm" value="([^"]+)"', html)
    assert token is not None and "Vroege triage" in html
    done = client.post("/meetings/series/new/", {**form, "confirm": token[1]})
    assert done.status_code == 302
    assert MeetingSeries.objects.filter(name="Vroege triage").exists()


def test_the_schema_documents_the_confirmation(api: Any) -> None:
    schema = api("coordinator").get("/api/schema/?format=json").json()
    for path, method in (
        ("/api/v1/meetings/emergency/", "post"),
        ("/api/v1/meeting-series/", "post"),
        ("/api/v1/meeting-series/{series_id}/", "patch"),
    ):
        operation = schema["paths"][path][method]
        assert "409" in operation["responses"], path
        body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        component = schema["components"]["schemas"][body.rsplit("/", 1)[1]]
        assert component["properties"]["confirm"]["type"] == "boolean"


@pytest.mark.parametrize("value", ["8-18", "18:00-08:00", "08:00-25:00", "", "08:00 18:00"])
def test_a_wrong_working_hours_setting_fails_at_start_up_saying_what_to_do(value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="HH:MM-HH:MM"):
        check_working_hours(value)


def test_working_hours_parse() -> None:
    assert [f"{t:%H:%M}" for t in parse_working_hours(" 07:30 - 17:00 ")] == ["07:30", "17:00"]
