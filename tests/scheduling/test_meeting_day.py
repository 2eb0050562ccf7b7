"""The meeting day: run from the meeting's own day on, attendance as one checklist per slot, minutes
kept as a draft and never lost, the review of open agreements with an explicit outcome (without the
agreements made in this meeting), and the chair's current slot with the time used."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from casework import services as casework_services
from casework.access import access_agreement, access_case
from casework.models import Agreement, AgreementStatus
from mda.models import AuditEvent
from mda.workdays import AMSTERDAM
from scheduling.models import Attendance, ItemMinutes, MinutesDraft, SlotAttendance
from scheduling.selectors.minutes import minutes_draft_of
from scheduling.services import minutes
from tests.conftest import Cast
from tests.scheduling import meetings_support
from tests.scheduling.meetings_support import PERSONAS, SEES, World, managed, managed_item

published = meetings_support.published

# The meeting of Tuesday 24 March 2026 starts at 09:30; slot A runs 09:30-09:45.
STARTED = datetime(2026, 3, 24, 9, 35, tzinfo=AMSTERDAM)
TYPED = "DRAFT-MARKER the father moved out last week"

MANAGE = {p: (200 if p == "coordinator" else 404 if SEES[p] is None else 403) for p in PERSONAS}
RUN = {p: (200 if p in {"coordinator", "chair"} else MANAGE[p]) for p in PERSONAS}


@pytest.fixture
def day(published: World, time_machine: Any) -> World:
    time_machine.move_to(STARTED, tick=False)
    return published


@pytest.fixture
def read(day: World) -> World:
    """The meeting day with the confidentiality statement read."""
    minutes.meeting_confidentiality_acknowledge(
        actor=day.coordinator, meeting=managed(day.coordinator, day.meeting)
    )
    return day


def _marks(world: World, key: str, **statuses: str) -> list[minutes.SlotMark]:
    item = world.item(key)
    return [minutes.SlotMark(item.pk, world.cast.orgs[k].pk, v) for k, v in statuses.items()]


def _base(world: World, key: str = "A") -> str:
    return f"/meetings/{world.meeting.pk}/items/{world.item(key).pk}"


# --- Running opens on the meeting's day ---------------------------------------------------------


def test_running_is_refused_before_the_meeting_s_day_with_the_day_it_opens(
    published: World,
) -> None:
    meeting = managed(published.coordinator, published.meeting)  # it is Friday 20 March

    with pytest.raises(ValidationError) as refused, translation.override("nl"):
        minutes.meeting_confidentiality_acknowledge(actor=published.coordinator, meeting=meeting)

    assert "24 mrt. 2026" in " ".join(refused.value.messages)
    meeting.refresh_from_db()
    assert meeting.confidentiality_read_at is None


def test_before_the_day_the_run_page_says_when_it_opens_and_offers_no_forms(
    published: World, web: Any
) -> None:
    client = web("coordinator")
    page = client.get(f"/meetings/{published.meeting.pk}/run/").content.decode()
    detail = client.get(f"/meetings/{published.meeting.pk}/").content.decode()

    assert "24 Mar 2026" in page and "data-run-closed" in page
    assert "/attendance/" not in page and "/confidentiality/" not in page
    assert f"/meetings/{published.meeting.pk}/run/" not in detail
    assert "opens on 24 Mar 2026" in detail


def test_minutes_typed_before_the_day_are_kept_as_a_draft(published: World, web: Any) -> None:
    response = web("coordinator").post(
        f"{_base(published)}/minutes/", {"shared_views": TYPED, "decisions": ""}
    )

    assert response.status_code == 400
    assert TYPED in response.content.decode()
    assert not ItemMinutes.objects.exists()
    assert MinutesDraft.objects.filter(item=published.item("A")).exists()


def test_on_the_meeting_s_day_the_run_page_opens(day: World, web: Any) -> None:
    page = web("chair").get(f"/meetings/{day.meeting.pk}/run/").content.decode()
    detail = web("chair").get(f"/meetings/{day.meeting.pk}/").content.decode()

    assert "/attendance/" in page and "/confidentiality/" in page
    assert f"/meetings/{day.meeting.pk}/run/" in detail


# --- The attendance checklist -------------------------------------------------------------------


def test_the_checklist_records_every_slot_in_one_submit_audited_once(day: World) -> None:
    before = AuditEvent.objects.filter(object_type="attendance").count()
    marks = _marks(day, "A", police="present", ggz="apology", local_team="absent")
    marks += _marks(day, "B", ggz="present", local_team="present")

    minutes.attendance_checklist_record(
        actor=day.coordinator, meeting=managed(day.coordinator, day.meeting), marks=marks
    )

    assert SlotAttendance.objects.count() == 5
    assert AuditEvent.objects.filter(object_type="attendance").count() == before + 1
    # The meeting's attendance follows: present at any slot is present.
    derived = dict(
        Attendance.objects.filter(meeting=day.meeting).values_list("organisation__slug", "status")
    )
    assert derived == {"police": "present", "ggz": "present", "local-team": "present"}


def test_the_checklist_holds_only_the_organisations_invited_to_the_slot(day: World) -> None:
    # Veilig Thuis takes part in A at level 0: not invited to A's slot.
    marks = _marks(day, "A", police="present", veilig_thuis="present")

    with pytest.raises(ValidationError):
        minutes.attendance_checklist_record(
            actor=day.coordinator, meeting=managed(day.coordinator, day.meeting), marks=marks
        )

    assert not SlotAttendance.objects.exists() and not Attendance.objects.exists()


def test_the_run_page_lists_per_slot_only_the_invited_organisations(day: World, web: Any) -> None:
    page = web("coordinator").get(f"/meetings/{day.meeting.pk}/run/").content.decode()
    item_a, item_c = day.item("A"), day.item("C")
    orgs = day.cast.orgs

    assert f'name="att-{item_a.pk}-{orgs["police"].pk}"' in page
    assert f'name="att-{item_a.pk}-{orgs["veilig_thuis"].pk}"' not in page
    assert f'name="att-{item_c.pk}-{orgs["veilig_thuis"].pk}"' in page
    assert f'name="att-{item_c.pk}-{orgs["police"].pk}"' not in page


def test_a_refused_checklist_comes_back_as_it_was_marked(day: World, web: Any) -> None:
    item = day.item("A")
    police, outsider = day.cast.orgs["police"], day.cast.orgs["veilig_thuis"]

    response = web("chair").post(
        f"/meetings/{day.meeting.pk}/attendance/",
        {f"att-{item.pk}-{police.pk}": "apology", f"att-{item.pk}-{outsider.pk}": "present"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="att-{item.pk}-{police.pk}-apology" checked' in page
    assert not SlotAttendance.objects.exists()


def test_the_chair_records_the_checklist_on_the_web(day: World, web: Any) -> None:
    item = day.item("A")
    police = day.cast.orgs["police"]

    response = web("chair").post(
        f"/meetings/{day.meeting.pk}/attendance/", {f"att-{item.pk}-{police.pk}": "present"}
    )

    assert response.status_code == 302
    assert SlotAttendance.objects.get(item=item, organisation=police).status == "present"


def test_the_checklist_through_the_api(day: World, api: Any) -> None:
    orgs = day.cast.orgs
    body = {
        "slots": [
            {
                "item": str(day.item("A").pk),
                "attendance": [
                    {"organisation": str(orgs["police"].uuid), "status": "present"},
                    {"organisation": str(orgs["ggz"].uuid), "status": "apology"},
                ],
            },
            {
                "item": str(day.item("C").pk),
                "attendance": [
                    {"organisation": str(orgs["veilig_thuis"].uuid), "status": "absent"}
                ],
            },
        ]
    }

    response = api("coordinator").post(
        f"/api/v1/meetings/{day.meeting.pk}/attendance/", body, format="json"
    )

    assert response.status_code == 200, response.json()
    slots = {s["case_reference"]: s for s in response.json()["slots"]}
    assert {
        o["organisation_name"]: o["status"] for o in slots["MDA-2026-0101"]["organisations"]
    } == {
        "GGZ Noord": "apology",
        "Lokaal team Noord": "",
        "Politie Noord": "present",
    }
    assert SlotAttendance.objects.count() == 3


def test_the_published_minutes_show_the_attendance_of_that_slot(read: World, api: Any) -> None:
    meeting = managed(read.coordinator, read.meeting)
    minutes.attendance_checklist_record(
        actor=read.coordinator,
        meeting=meeting,
        marks=_marks(read, "A", police="present") + _marks(read, "B", ggz="present"),
    )

    body = api("coordinator").get(f"/api/v1{_base(read)}/minutes/").json()

    assert [a["organisation_name"] for a in body["attendance"]] == ["Politie Noord"]


# --- Minutes drafts -----------------------------------------------------------------------------


def test_the_page_keeps_a_draft_while_typing_encrypted(read: World, web: Any) -> None:
    client = web("coordinator")

    saved = client.post(f"{_base(read)}/minutes/draft/", {"shared_views": TYPED})
    page = client.get(f"{_base(read)}/minutes/").content.decode()

    assert saved.status_code == 200 and "saved_at" in saved.json()
    draft = MinutesDraft.objects.get(item=read.item("A"))
    assert b"DRAFT-MARKER" not in bytes(draft.content_ct)
    assert TYPED in page and "Restored" in page


def test_a_refused_save_keeps_what_was_typed(read: World, web: Any) -> None:
    response = web("coordinator").post(
        f"{_base(read)}/minutes/",
        {"shared_views": TYPED, "decisions": "Safety plan", "next_review_on": "01-01-2026"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert TYPED in page and "01-01-2026" in page
    assert not ItemMinutes.objects.exists()
    item = managed_item(read.coordinator, read.item("A"))
    content, _at = minutes_draft_of(actor=read.coordinator, item=item) or ({}, None)
    assert content["shared_views"] == TYPED and content["next_review_on"] == "01-01-2026"


def test_saving_the_minutes_removes_the_draft(read: World, web: Any) -> None:
    client = web("coordinator")
    client.post(f"{_base(read)}/minutes/draft/", {"shared_views": "first words"})

    response = client.post(f"{_base(read)}/minutes/", {"shared_views": TYPED, "decisions": "x"})

    assert response.status_code == 302
    assert ItemMinutes.objects.filter(item=read.item("A")).exists()
    assert not MinutesDraft.objects.exists()
    assert TYPED in client.get(f"{_base(read)}/minutes/").content.decode()


def test_drafts_through_the_api(read: World, api: Any) -> None:
    client = api("coordinator")
    url = f"/api/v1{_base(read)}/minutes/draft/"

    missing = client.get(url)
    put = client.put(url, {"shared_views": TYPED, "next_review_on": "31-02-2026"}, format="json")
    got = client.get(url)

    assert missing.status_code == 404
    assert put.status_code == 200
    assert got.json()["shared_views"] == TYPED and got.json()["next_review_on"] == "31-02-2026"


# --- The review of open agreements --------------------------------------------------------------


@pytest.fixture
def agreement(read: World, cast: Cast) -> Agreement:
    """An agreement of case A made before this meeting, due next week."""
    coordinator = read.coordinator
    return casework_services.agreement_create(
        actor=coordinator,
        case=access_case(coordinator, read.cases["A"].pk),
        description="Arrange debt counselling",
        owner_organisation=cast.orgs["local_team"],
        due_date=date(2026, 3, 31),
    )


def _review(world: World, agreement: Agreement, **data: Any) -> Agreement:
    return minutes.minutes_agreement_review(
        actor=world.coordinator,
        item=managed_item(world.coordinator, world.item("A")),
        agreement=access_agreement(world.coordinator, agreement.pk, manage=True),
        **data,
    )


def test_the_review_starts_at_not_yet_reviewed(read: World, agreement: Agreement, web: Any) -> None:
    page = web("coordinator").get(f"{_base(read)}/minutes/").content.decode()
    form = page[page.index(f"/agreements/{agreement.pk}/review/") :]
    select = form[form.index('name="outcome"') : form.index("</select>")]

    assert "selected" not in select  # nothing chosen for the user
    assert select.index('value=""') < select.index('value="done"')


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "outcome"),
        ({"outcome": "", "reason": "Moved to another municipality"}, "outcome"),
        ({"outcome": "not_possible"}, "reason"),
        ({"outcome": "not_done", "reason": "  "}, "reason"),
        ({"outcome": "continued"}, "due_date"),
        ({"outcome": "continued", "due_date": "24-03-2026"}, "due_date"),
    ],
)
def test_a_review_without_a_complete_outcome_changes_nothing(
    data: dict[str, str], field: str, read: World, agreement: Agreement, web: Any
) -> None:
    response = web("coordinator").post(
        f"{_base(read)}/agreements/{agreement.pk}/review/", {"reason": "", **data}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    agreement.refresh_from_db()
    assert (agreement.status, agreement.due_date) == (AgreementStatus.OPEN, date(2026, 3, 31))
    if data.get("reason", "").strip():
        assert data["reason"] in page


def test_a_review_records_each_outcome_in_the_minutes(
    read: World, agreement: Agreement, cast: Cast, web: Any
) -> None:
    other = casework_services.agreement_create(
        actor=read.coordinator,
        case=access_case(read.coordinator, read.cases["A"].pk),
        description="Home visit",
        owner_organisation=cast.orgs["police"],
        due_date=date(2026, 3, 27),
    )

    _review(read, agreement, outcome="not_possible", reason="Moved to another municipality")
    _review(read, other, outcome="continued", due_date=date(2026, 4, 14))

    agreement.refresh_from_db()
    other.refresh_from_db()
    assert agreement.status == AgreementStatus.NOT_POSSIBLE
    assert (other.status, other.due_date) == (AgreementStatus.OPEN, date(2026, 4, 14))
    page = web("coordinator").get(f"{_base(read)}/minutes/").content.decode()
    reviewed = page[page.index('id="reviewed-heading"') : page.index('id="edit-heading"')]
    assert "Not possible (circumstances changed)" in reviewed and "14 Apr 2026" in reviewed
    # Reviewed once in this meeting: not offered again, though the continued one is still open.
    assert "/review/" not in page


def test_the_review_leaves_out_agreements_made_in_this_meeting(
    read: World, cast: Cast, api: Any
) -> None:
    made = minutes.minutes_agreement_add(
        actor=read.coordinator,
        item=managed_item(read.coordinator, read.item("A")),
        description="Safety plan with the mother",
        owner_organisation=cast.orgs["local_team"],
        due_date=date(2026, 4, 7),
    )

    response = api("coordinator").post(
        f"/api/v1{_base(read)}/agreements/{made.pk}/review/", {"outcome": "done"}, format="json"
    )

    assert response.status_code == 400
    made.refresh_from_db()
    assert made.status == AgreementStatus.OPEN


def test_a_review_through_the_api_needs_an_outcome(
    read: World, agreement: Agreement, api: Any
) -> None:
    url = f"/api/v1{_base(read)}/agreements/{agreement.pk}/review/"
    client = api("coordinator")

    missing = client.post(url, {}, format="json")
    done = client.post(url, {"outcome": "done"}, format="json")

    assert missing.status_code == 400 and "outcome" in str(missing.json())
    assert done.status_code == 200 and done.json()["status"] == "done"


# --- The chair's current slot -------------------------------------------------------------------


def test_the_chair_sees_the_current_slot_and_the_time_used(day: World, web: Any) -> None:
    page = web("chair").get(f"/meetings/{day.meeting.pk}/run/").content.decode()

    now = page[page.index('id="now-heading"') : page.index('id="confidentiality-heading"')]
    assert "MDA-2026-0101" in now.split("<ol")[0]
    assert ">05:00</strong>" in now and "of 15:00" in now
    assert 'data-length-seconds="900"' in now


def test_between_meetings_no_slot_is_current(day: World, web: Any, time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 3, 24, 16, 0, tzinfo=AMSTERDAM), tick=False)

    page = web("chair").get(f"/meetings/{day.meeting.pk}/run/").content.decode()

    assert "data-slot-timer" not in page and "No case is scheduled at this moment." in page


# --- Who may do what ----------------------------------------------------------------------------


def _ok(status: int, expected: int) -> bool:
    return status in (200, 201, 302) if expected == 200 else status == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_coordinators_keep_drafts_and_review(
    persona: str, read: World, agreement: Agreement, api: Any, web: Any
) -> None:
    base = _base(read)
    answers = [
        web(persona).post(f"{base}/minutes/draft/", {"shared_views": "x"}).status_code,
        api(persona)
        .put(f"/api/v1{base}/minutes/draft/", {"shared_views": "x"}, format="json")
        .status_code,
        api(persona).get(f"/api/v1{base}/minutes/draft/").status_code,
        api(persona)
        .post(
            f"/api/v1{base}/agreements/{agreement.pk}/review/", {"outcome": "done"}, format="json"
        )
        .status_code,
    ]
    # Outsiders and other regions: 404; those who see the meeting but may not manage it: 403.
    assert all(_ok(status, MANAGE[persona]) for status in answers), answers


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_coordinators_and_chairs_record_the_checklist(
    persona: str, day: World, api: Any
) -> None:
    body = {
        "slots": [
            {
                "item": str(day.item("A").pk),
                "attendance": [
                    {"organisation": str(day.cast.orgs["police"].uuid), "status": "present"}
                ],
            }
        ]
    }

    response = api(persona).post(
        f"/api/v1/meetings/{day.meeting.pk}/attendance/", body, format="json"
    )

    assert _ok(response.status_code, RUN[persona]), response.status_code
    assert SlotAttendance.objects.exists() == (RUN[persona] == 200)


def test_a_refused_save_through_the_api_keeps_a_draft(day: World, api: Any) -> None:
    # The confidentiality statement was not recorded yet: the save is refused.
    url = f"/api/v1{_base(day)}/minutes/"
    response = api("coordinator").put(url, {"shared_views": TYPED, "decisions": "x"}, format="json")

    assert response.status_code == 400
    assert not ItemMinutes.objects.exists()
    draft = api("coordinator").get(f"{url}draft/").json()
    assert draft["shared_views"] == TYPED


def test_the_run_page_costs_the_same_for_one_slot_as_for_three(
    published: World, web: Any, time_machine: Any
) -> None:
    published.add("B", meeting=published.next_meeting)
    time_machine.move_to(datetime(2026, 3, 31, 9, 35, tzinfo=AMSTERDAM), tick=False)
    client = web("coordinator")
    counts = []
    for meeting in (published.next_meeting, published.meeting):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/meetings/{meeting.pk}/run/").status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1], counts
