"""Building an agenda: proposals with reasons, capacity (a full meeting says so and proposes the
next), reordering, removal, publication, answers, participations that change, emergency
meetings, and the web pages that do all of it."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from casework.models import (
    Agreement,
    AgreementStatus,
    CaseEvent,
    CasePlan,
    CaseStatus,
    CheckIn,
    EventKind,
)
from mda import crypto
from mda.workdays import AMSTERDAM
from scheduling import selectors
from scheduling import services as scheduling_services
from scheduling.models import (
    AgendaItem,
    AgendaStatus,
    EscalationNotice,
    Invitation,
    ItemMinutes,
    ItemReason,
    Meeting,
    MeetingType,
    NoticeStatus,
)
from scheduling.services import agendas, invitations
from tests.casework.conftest import grant
from tests.conftest import Cast
from tests.scheduling import meetings_support
from tests.scheduling.meetings_support import (
    REFERENCES,
    World,
    calendars_of,
    mails_to,
    make_case,
    managed,
    managed_item,
    send_all,
)

world = meetings_support.world
published = meetings_support.published


def _order(world: World) -> list[str]:
    items = world.meeting.items.current().order_by("position").select_related("case")
    return [i.case.reference for i in items]


def test_slots_follow_each_other_from_the_start_of_the_meeting(world: World) -> None:
    items = list(world.meeting.items.current().order_by("position"))

    assert [i.starts_at.astimezone(AMSTERDAM).strftime("%H:%M") for i in items] == [
        "09:30",
        "09:45",
        "10:00",
    ]
    assert all(i.slot_minutes == 15 for i in items)


def test_a_full_meeting_refuses_a_case_and_names_the_next_meeting_with_room(
    world: World, cast: Cast, api: Any
) -> None:
    coordinator = world.coordinator
    agendas.agenda_item_update(
        actor=coordinator, item=managed_item(coordinator, world.item("A")), slot_minutes=150
    )
    extra = make_case(cast, "MDA-2026-0104", {"police": 2})

    with pytest.raises(ValidationError) as refused:
        world.add("A", meeting=world.meeting)  # on the agenda already
    assert list(refused.value.message_dict) == ["case"]
    response = api("coordinator").post(
        f"/api/v1/meetings/{world.meeting.pk}/items/", {"case": str(extra.pk)}, format="json"
    )

    assert response.status_code == 400
    message = " ".join(response.json()["fields"]["case"])
    assert "180" in message and "31" in message  # 180 of 180 minutes; next: Tuesday 31 March
    detail = api("coordinator").get(f"/api/v1/meetings/{world.meeting.pk}/").json()
    assert detail["capacity"]["full"] is True
    assert detail["capacity"]["next_meeting_with_room"] == str(world.next_meeting.pk)


def test_reordering_retimes_the_slots(world: World, api: Any) -> None:
    ids = [str(world.item(k).pk) for k in "CAB"]

    response = api("coordinator").post(
        f"/api/v1/meetings/{world.meeting.pk}/order/", {"items": ids}, format="json"
    )

    assert response.status_code == 200
    assert [r["case_reference"] for r in response.json()["items"]] == [REFERENCES[k] for k in "CAB"]
    assert world.item("C").starts_at == datetime(2026, 3, 24, 9, 30, tzinfo=AMSTERDAM)
    bad = api("coordinator").post(
        f"/api/v1/meetings/{world.meeting.pk}/order/", {"items": ids[:2]}, format="json"
    )
    assert bad.status_code == 400


def test_publishing_invites_each_organisation_once_for_its_own_slots(
    published: World, cast: Cast
) -> None:
    rows = Invitation.objects.values_list("item__case__reference", "organisation__slug")

    assert sorted(rows) == sorted(
        [
            (REFERENCES["A"], "local-team"),
            (REFERENCES["A"], "police"),
            (REFERENCES["A"], "ggz"),  # level 1: process context, so invited
            (REFERENCES["B"], "local-team"),
            (REFERENCES["B"], "ggz"),
            (REFERENCES["C"], "veilig-thuis"),
        ]
    )
    ggz = mails_to(cast.orgs["ggz"].email, send_all())
    assert len(ggz) == 1 and len(calendars_of(ggz[0])) == 2


def test_a_new_participant_is_invited_by_the_sweep(published: World, cast: Cast) -> None:
    send_all()
    grant(cast, published.cases["C"], "police", 1)

    invitations.invitations_sync_upcoming()
    (message,) = mails_to(cast.orgs["police"].email, send_all())

    assert REFERENCES["C"] in message.body
    assert str(calendars_of(message)[0]["METHOD"]) == "REQUEST"


def test_a_partner_answers_for_its_organisation(published: World, web: Any) -> None:
    item = published.item("A")
    response = web("police").post(
        f"/meetings/{published.meeting.pk}/items/{item.pk}/response/",
        {
            f"response-{item.pk}-organisation": published.cast.orgs["police"].pk,
            f"response-{item.pk}-response": "written",
        },
    )

    assert response.status_code == 302
    invitation = Invitation.objects.get(item=item, organisation__slug="police")
    assert invitation.response == "written"
    page = web("coordinator").get(f"/meetings/{published.meeting.pk}/").content.decode()
    assert "Politie Noord: " in page


def _agreement(world: World, case: Any, due: date, status: str = AgreementStatus.OPEN) -> Any:
    agreement = Agreement(
        id=uuid.uuid4(),
        case=case,
        owner_organisation=world.cast.orgs["local_team"],
        due_date=due,
        status=status,
        created_by=world.coordinator,
        resolved_at=None if status == AgreementStatus.OPEN else datetime.now(tz=AMSTERDAM),
    )
    crypto.seal(agreement, "description_ct", "AGREEMENT", case.data_key)
    agreement.save()
    return agreement


def _past_minutes(world: World, case: Any, next_review: date) -> None:
    past = Meeting.objects.create(
        region=world.cast.north,
        kind=MeetingType.CASE_CONFERENCE,
        starts_at=datetime(2026, 3, 10, 9, 30, tzinfo=AMSTERDAM),
        ends_at=datetime(2026, 3, 10, 12, 30, tzinfo=AMSTERDAM),
        place="ZVH",
        agenda_status=AgendaStatus.PUBLISHED,
    )
    item = AgendaItem.objects.create(
        meeting=past,
        case=case,
        position=0,
        starts_at=past.starts_at,
        ends_at=past.starts_at + timedelta(minutes=15),
        reason=ItemReason.COORDINATOR,
    )
    ItemMinutes.objects.create(item=item, recorded_by=world.coordinator, next_review_on=next_review)


def _plan(world: World, case: Any, next_review: date) -> None:
    CasePlan.objects.create(
        case=case,
        safety_goals_ct=b"",
        review_every_weeks=4,
        next_review_on=next_review,
        updated_by=world.coordinator,
        updated_at=world.meeting.created_at,
    )


def test_the_rules_propose_cases_with_their_reasons(world: World, cast: Cast) -> None:
    overdue = make_case(cast, "MDA-2026-0201", {"police": 2})
    _agreement(world, overdue, date(2026, 3, 16))
    not_yet = make_case(cast, "MDA-2026-0202", {"police": 2})
    _agreement(world, not_yet, date(2026, 4, 30))
    accepted = make_case(cast, "MDA-2026-0203", {"police": 2}, status=CaseStatus.INTAKE)
    review = make_case(cast, "MDA-2026-0204", {"police": 2})
    _past_minutes(world, review, date(2026, 3, 24))
    later_review = make_case(cast, "MDA-2026-0205", {"police": 2})
    _past_minutes(world, later_review, date(2026, 4, 21))
    escalated = make_case(cast, "MDA-2026-0206", {"police": 2})
    agreement = _agreement(world, escalated, date(2026, 3, 2))
    rung = scheduling_services.ladder_of(cast.north).rungs.get(number=1)
    EscalationNotice.objects.create(
        case=escalated,
        agreement=agreement,
        rung=rung,
        rung_number=1,
        rung_name=rung.name,
        due_at=datetime(2026, 3, 4, 9, 0, tzinfo=AMSTERDAM),
        status=NoticeStatus.SENT,
        sent_at=datetime(2026, 3, 4, 9, 1, tzinfo=AMSTERDAM),
    )
    closed = make_case(cast, "MDA-2026-0207", {"police": 2}, status=CaseStatus.CLOSED)
    _agreement(world, closed, date(2026, 3, 1))
    follow_up = make_case(cast, "MDA-2026-0208", {"police": 2}, status=CaseStatus.FOLLOW_UP)
    CheckIn.objects.create(case=follow_up, months_after=3, due_on=date(2026, 3, 23))
    done = make_case(cast, "MDA-2026-0209", {"police": 2}, status=CaseStatus.FOLLOW_UP)
    CheckIn.objects.create(
        case=done, months_after=3, due_on=date(2026, 3, 2), completed_at=world.meeting.created_at
    )
    planned = make_case(cast, "MDA-2026-0210", {"police": 2})
    _plan(world, planned, date(2026, 3, 24))
    _plan(world, make_case(cast, "MDA-2026-0211", {"police": 2}), date(2026, 3, 31))
    repeated = make_case(cast, "MDA-2026-0212", {"police": 2})
    make_case(cast, "MDA-2026-0213", {}, status=CaseStatus.REFERRED, repeat_of=repeated)
    reopened = make_case(cast, "MDA-2026-0214", {"police": 2}, status=CaseStatus.REOPENED)
    CaseEvent.objects.create(
        case=reopened,
        kind=EventKind.TRANSITION,
        from_status=CaseStatus.FOLLOW_UP,
        to_status=CaseStatus.REOPENED,
        occurred_at=datetime(2026, 3, 18, 14, 0, tzinfo=AMSTERDAM),
    )
    discussed = make_case(cast, "MDA-2026-0215", {"police": 2}, status=CaseStatus.REOPENED)
    CaseEvent.objects.create(
        case=discussed,
        kind=EventKind.TRANSITION,
        to_status=CaseStatus.REOPENED,
        occurred_at=datetime(2026, 3, 2, 14, 0, tzinfo=AMSTERDAM),
    )
    _past_minutes(world, discussed, date(2026, 5, 5))  # on the agenda of 10 March since

    meeting = managed(world.coordinator, world.meeting)
    proposals = selectors.agenda_proposals(actor=world.coordinator, meeting=meeting)

    assert {p.case.reference: p.reasons for p in proposals} == {
        "MDA-2026-0206": [ItemReason.ESCALATED, ItemReason.AGREEMENTS_OVERDUE],
        "MDA-2026-0201": [ItemReason.AGREEMENTS_OVERDUE],
        "MDA-2026-0203": [ItemReason.ACCEPTED],
        "MDA-2026-0204": [ItemReason.REVIEW_DUE],
        "MDA-2026-0208": [ItemReason.CHECK_IN],
        "MDA-2026-0210": [ItemReason.REVIEW_DUE],
        "MDA-2026-0212": [ItemReason.REPEAT],
        "MDA-2026-0214": [ItemReason.REPEAT],
    }
    assert all(p.fits for p in proposals)
    agendas.agenda_item_add(
        actor=world.coordinator, meeting=meeting, case=accepted, reason=ItemReason.ACCEPTED
    )
    again = selectors.agenda_proposals(actor=world.coordinator, meeting=meeting)
    assert accepted.reference not in {p.case.reference for p in again}
    assert world.meeting.items.current().get(case=accepted).reason == ItemReason.ACCEPTED


def test_proposals_are_for_coordinators_only(world: World, api: Any) -> None:
    url = f"/api/v1/meetings/{world.meeting.pk}/proposals/"
    assert api("coordinator").get(url).status_code == 200
    assert api("chair").get(url).status_code == 403
    assert api("police").get(url).status_code == 404


def test_a_coordinator_calls_an_emergency_meeting_within_hours(
    world: World, cast: Cast, api: Any
) -> None:
    body = {
        "case": str(world.cases["A"].pk),
        "starts_at": "2026-03-20T15:00:00+01:00",
        "duration_minutes": 45,
        "online_link": "https://meet.example.org/spoed",
    }

    response = api("coordinator").post("/api/v1/meetings/emergency/", body, format="json")
    assert response.status_code == 201, response.content
    meeting = response.json()["meeting"]
    assert (meeting["meeting_type"], meeting["agenda_status"]) == ("emergency", "published")
    sent = send_all()
    assert len(mails_to(cast.orgs["police"].email, sent)) == 1
    assert mails_to(cast.orgs["veilig_thuis"].email, sent) == []  # level 0 on A
    assert api("police").post("/api/v1/meetings/emergency/", body, format="json").status_code == 403
    too_late = {**body, "starts_at": "2026-03-30T15:00:00+02:00"}
    assert (
        api("coordinator").post("/api/v1/meetings/emergency/", too_late, format="json").status_code
        == 400
    )


def test_the_agenda_is_built_and_published_on_the_web(world: World, cast: Cast, web: Any) -> None:
    coordinator = web("coordinator")
    url = f"/meetings/{world.meeting.pk}/"
    extra = make_case(cast, "MDA-2026-0301", {"police": 2})

    assert coordinator.post(f"{url}items/", {"case": str(extra.pk)}).status_code == 302
    item = world.meeting.items.current().get(case=extra)
    coordinator.post(f"{url}items/{item.pk}/move/", {"direction": "up"})
    coordinator.post(
        f"{url}items/{item.pk}/",
        {f"item-{item.pk}-slot_minutes": "25", f"item-{item.pk}-information_deadline": ""},
    )
    coordinator.post(f"{url}items/{world.item('B').pk}/remove/", {"confirm": "True"})
    coordinator.post(f"{url}publish/")

    assert _order(world) == [REFERENCES["A"], "MDA-2026-0301", REFERENCES["C"]]
    world.meeting.refresh_from_db()
    assert world.meeting.agenda_status == AgendaStatus.PUBLISHED
    assert world.meeting.items.current().get(case=extra).slot_minutes == 25
    police_page = web("police").get(url).content.decode()
    assert REFERENCES["A"] in police_page and "MDA-2026-0301" in police_page
    assert REFERENCES["B"] not in police_page and REFERENCES["C"] not in police_page


def test_the_week_view_lists_the_meetings_of_the_week(world: World, web: Any) -> None:
    page = web("coordinator").get("/meetings/week/?week=2026-03-23")

    assert page.status_code == 200
    assert f"/meetings/{world.meeting.pk}/" in page.content.decode()
    assert f"/meetings/{world.next_meeting.pk}/" not in page.content.decode()
    assert web("police").get("/meetings/week/").status_code == 403
    assert web("police").get("/meetings/").url == "/meetings/mine/"
