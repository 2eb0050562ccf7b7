"""Running a meeting: the confidentiality statement first, attendance per organisation, minutes per
case stored encrypted, agreements made and reviewed through the agreements service, and publishing
the minutes so each participant reads them at its level."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from casework.models import Agreement, AgreementOrigin
from mda.models import AuditEvent, Notification
from mda.workdays import AMSTERDAM
from scheduling.models import ItemMinutes
from scheduling.services import minutes
from tests.conftest import Cast
from tests.scheduling import meetings_support
from tests.scheduling.meetings_support import PERSONAS, REFERENCES, World, managed, managed_item

published = meetings_support.published
world = meetings_support.world

SHARED = "SHARED-VIEWS-MARKER drinking worsened"
DECIDED = "DECISIONS-MARKER safety plan renewed"
STARTED = datetime(2026, 3, 24, 9, 35, tzinfo=AMSTERDAM)

# Minutes of case A once published: 2 everything, 1 attendance and next review, None: 404.
LEVEL = {
    "coordinator": 2,
    "chair": 1,
    "police": 2,
    "social": 2,
    "escalation": 2,
    "care": 1,
    "veilig_thuis": None,  # level 0 on A: not even the slot
    "privacy": None,
    "admin": None,
    "policy": None,
    "outsider": None,
    "outsider_police": None,
}


@pytest.fixture
def running(published: World, time_machine: Any) -> World:
    time_machine.move_to(STARTED, tick=False)
    coordinator = published.coordinator
    meeting = managed(coordinator, published.meeting)
    minutes.meeting_confidentiality_acknowledge(actor=coordinator, meeting=meeting)
    item = published.item("A")
    marks = [
        minutes.SlotMark(item.pk, published.cast.orgs[slug].pk, status)
        for slug, status in (("police", "present"), ("ggz", "apology"), ("local_team", "present"))
    ]
    minutes.attendance_checklist_record(actor=coordinator, meeting=meeting, marks=marks)
    return published


def _record(world: World, key: str, **extra: Any) -> ItemMinutes:
    return minutes.minutes_save(
        actor=world.coordinator,
        item=managed_item(world.coordinator, world.item(key)),
        shared_views=SHARED,
        decisions=DECIDED,
        **extra,
    )


def test_minutes_wait_for_the_confidentiality_statement(
    published: World, time_machine: Any
) -> None:
    time_machine.move_to(STARTED, tick=False)

    with pytest.raises(ValidationError) as refused, translation.override("en"):
        _record(published, "A")

    assert "confidentiality" in " ".join(refused.value.messages)
    assert not ItemMinutes.objects.exists()


def test_minutes_are_stored_encrypted(running: World, cast: Cast) -> None:
    record = _record(
        running,
        "A",
        case_director=cast.social.user,
        case_director_confirmed=True,
        next_review_on=date(2026, 4, 21),
    )

    raw = bytes(ItemMinutes.objects.get(pk=record.pk).shared_views_ct or b"")
    assert b"SHARED-VIEWS-MARKER" not in raw
    assert b"DECISIONS-MARKER" not in bytes(record.decisions_ct or b"")


def test_the_case_director_must_work_at_a_level_2_organisation(running: World, cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        _record(running, "A", case_director=cast.care.user)  # GGZ is at level 1 on A

    assert "case_director" in refused.value.message_dict


def _publish_all(world: World) -> None:
    for key in "ABC":
        _record(world, key, next_review_on=date(2026, 4, 21))
    minutes.minutes_publish(
        actor=world.coordinator, meeting=managed(world.coordinator, world.meeting)
    )


def test_publishing_needs_minutes_of_every_case(running: World) -> None:
    _record(running, "A")

    with pytest.raises(ValidationError) as refused:
        minutes.minutes_publish(
            actor=running.coordinator, meeting=managed(running.coordinator, running.meeting)
        )

    assert REFERENCES["B"] in " ".join(refused.value.messages)


@pytest.mark.parametrize("persona", PERSONAS)
def test_published_minutes_are_read_at_each_participant_s_level(
    persona: str, running: World, api: Any, web: Any
) -> None:
    item = running.item("A")
    url = f"/meetings/{running.meeting.pk}/items/{item.pk}/minutes/"
    before = api(persona).get(f"/api/v1{url}")
    _publish_all(running)

    response = api(persona).get(f"/api/v1{url}")
    page = web(persona).get(url)
    level = LEVEL[persona]
    # Before publication only coordinators read them (the draft).
    assert before.status_code == (200 if persona == "coordinator" else 404)
    if level is None:
        assert response.status_code == 404 and page.status_code == 404
        return
    body = response.json()
    assert body["level"] == level
    assert body["next_review_on"] == "2026-04-21"
    assert {a["organisation_name"] for a in body["attendance"]} == {
        "Politie Noord",
        "GGZ Noord",
        "Lokaal team Noord",
    }
    text = page.content.decode()
    assert (SHARED in text) == (level == 2) and (DECIDED in text) == (level == 2)
    assert ("shared_views" in body) == (level == 2)


def test_reading_the_minutes_is_recorded(running: World, api: Any) -> None:
    _publish_all(running)
    item = running.item("A")

    api("police").get(f"/api/v1/meetings/{running.meeting.pk}/items/{item.pk}/minutes/")

    event = AuditEvent.objects.filter(object_type="minutes", action="view").last()
    assert event is not None
    assert (event.username, event.case_reference) == ("police", REFERENCES["A"])
    assert "MARKER" not in str(event.detail)


def test_publishing_tells_the_partners_without_content(running: World) -> None:
    _publish_all(running)

    notes = Notification.objects.filter(kind="minutes_published")
    assert {n.recipient.username for n in notes} == {
        "police",
        "care",
        "social",
        "escalation",
        "veilig_thuis",
    }
    police = notes.get(recipient__username="police")
    assert REFERENCES["A"] in police.body and REFERENCES["B"] not in police.body
    assert "MARKER" not in police.body


def test_agreements_are_made_and_reviewed_in_the_meeting(
    running: World, cast: Cast, web: Any
) -> None:
    item = running.item("A")
    base = f"/meetings/{running.meeting.pk}/items/{item.pk}"
    client = web("coordinator")

    made = client.post(
        f"{base}/agreements/",
        {
            "description": "Arrange debt counselling",
            "owner_organisation": cast.orgs["local_team"].pk,
            "owner": cast.social.user.pk,
            "due_date": "2026-04-14",
        },
    )
    agreement = Agreement.objects.get(case=running.cases["A"])

    assert made.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.origin, agreement.meeting_id) == (AgreementOrigin.MEETING, running.meeting.pk)
    page = client.get(f"{base}/minutes/").content.decode()
    assert "Lokaal team Noord" in page
    # Made in this meeting: not offered for review in it.
    assert f"/agreements/{agreement.pk}/review/" not in page


def test_minutes_are_recorded_on_the_web(running: World, cast: Cast, web: Any) -> None:
    item = running.item("A")
    url = f"/meetings/{running.meeting.pk}/items/{item.pk}/minutes/"

    response = web("coordinator").post(
        url,
        {
            "shared_views": SHARED,
            "decisions": DECIDED,
            "case_director": cast.social.user.pk,
            "case_director_confirmed": "on",
            "next_review_on": "2026-04-21",
        },
    )

    assert response.status_code == 302
    record = ItemMinutes.objects.get(item=item)
    assert record.case_director == cast.social.user and record.case_director_confirmed
    assert SHARED in web("coordinator").get(url).content.decode()
    assert web("chair").post(url, {"shared_views": "x"}).status_code == 403


def test_a_case_director_confirmed_in_the_minutes_directs_the_case_once_published(
    running: World, cast: Cast
) -> None:
    _record(running, "A", case_director=cast.social.user, case_director_confirmed=True)
    for key in "BC":
        _record(running, key)
    case = running.cases["A"]
    case.refresh_from_db()
    assert case.case_director is None  # not before publication

    minutes.minutes_publish(
        actor=running.coordinator, meeting=managed(running.coordinator, running.meeting)
    )

    case.refresh_from_db()
    assert case.case_director == cast.social.user
    assert case.case_director_organisation == cast.orgs["local_team"]
