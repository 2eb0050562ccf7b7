"""The meeting pack and the printed minutes per reader, and the coordinator's overview of the
invitations and answers.

The pack is of the meeting of 31 March with the cases A, B and C of ``meetings_support``; the
minutes of 24 March (the meeting before) are published, each case has an open agreement and a
Signs of Safety reading. What each persona may find in the pack:

| persona       | A  | B  | C  |
| coordinator   | 2  | 2  | 2  |
| chair         | 1  | 1  | 1  |
| police        | 2  | -  | -  |
| care (GGZ)    | 1  | 2  | -  |
| social        | 2  | 2  | -  |
| escalation    | 2  | 2  | -  |
| veilig_thuis  | -  | -  | 1  |  (level 0 on A: not even the slot)
| privacy, admin, policy, outsiders: 404
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mda.models import AuditEvent, User
from mda.workdays import AMSTERDAM
from scheduling.access import access_agenda_item, access_meeting
from scheduling.models import ItemMinutes, Meeting
from scheduling.selectors import packs
from scheduling.services import contributions, invitations
from tests.conftest import Cast, login_client, logins_made_once
from tests.scheduling import meetings_support, packs_support
from tests.scheduling.meetings_support import NOW, PERSONAS, REFERENCES, World, make_case
from tests.scheduling.packs_support import (
    agreement_marker,
    decision_marker,
    make_minutes,
    put_on_both_agendas,
    reading_marker,
    views_marker,
)

draft_agenda = meetings_support.draft_agenda
pack_world = packs_support.pack_world
logins = logins_made_once()

LEVELS: dict[str, dict[str, int] | None] = {
    "coordinator": {"A": 2, "B": 2, "C": 2},
    "chair": {"A": 1, "B": 1, "C": 1},
    "police": {"A": 2},
    "care": {"A": 1, "B": 2},
    "social": {"A": 2, "B": 2},
    "escalation": {"A": 2, "B": 2},
    "veilig_thuis": {"C": 1},
    "privacy": None,
    "admin": None,
    "policy": None,
    "outsider": None,
    "outsider_police": None,
}


@pytest.fixture
def world(pack_world: World, time_machine: Any) -> World:
    time_machine.move_to(NOW, tick=False)
    return pack_world


def pack_url(world: World, suffix: str = "pack/") -> str:
    return f"/meetings/{world.next_meeting.pk}/{suffix}"


def minutes_url(world: World, suffix: str = "minutes/print/") -> str:
    return f"/meetings/{world.meeting.pk}/{suffix}"


def pdf_text(content: bytes) -> list[str]:
    """The text of each page of a PDF, as a reader's tool extracts it."""
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]


def expect_content(text: str, levels: dict[str, int]) -> None:
    """*text* holds the slots of *levels* and none other; level-2 content only where level 2."""
    for key, reference in REFERENCES.items():
        level = levels.get(key)
        assert (reference in text) == (level is not None), (key, level)
        full = level == 2
        assert (agreement_marker(key) in text) == full, key
        assert (decision_marker(key) in text) == full, key
        assert (reading_marker(key) in text) == full, key


# --- the pack: who sees which slots at which level -----------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_pack_page_shows_each_reader_only_their_slots_at_their_level(
    persona: str, world: World, web: Any
) -> None:
    response = web(persona).get(pack_url(world))

    levels = LEVELS[persona]
    if levels is None:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    page = response.content.decode()
    expect_content(page, levels)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "Confidential" in page


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_pack_pdf_holds_no_slot_or_content_the_reader_may_not_see(
    persona: str, world: World, web: Any, cast: Cast
) -> None:
    response = web(persona).get(pack_url(world, "pack.pdf"))

    levels = LEVELS[persona]
    if levels is None:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    pages = pdf_text(response.content)
    expect_content("\n".join(pages), levels)
    for page in pages:
        assert "Confidential" in page
        assert packs.reader_name(cast.personas[persona].user) in page


def test_the_pdf_marks_every_page_with_the_reader_and_the_time_in_dutch(
    world: World, cast: Cast
) -> None:
    User.objects.filter(pk=world.coordinator.pk).update(
        first_name="Anouk", last_name="Çelik-Dijkgraaf"
    )
    long_decisions = "\n".join(f"Besluit {n}: één gezamenlijk plan, reëel" for n in range(90))
    ItemMinutes.objects.filter(item__meeting=world.meeting, item__case=world.cases["A"]).delete()
    make_minutes(world, world.meeting, world.cases["A"], "A", decisions=long_decisions)
    client = login_client(cast.coordinator, language="nl")

    response = client.get(pack_url(world, "pack.pdf"))

    pages = pdf_text(response.content)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert "Vertrouwelijk" in page
        assert "Anouk Çelik-Dijkgraaf" in page
        assert "20 mrt. 2026 10:00" in page  # the time of printing, in Amsterdam
        assert f"Pagina {number} van {len(pages)}" in page
    assert "Besluit 89: één gezamenlijk plan, reëel" in "".join(pages)


def test_the_print_page_repeats_the_marking_on_paper(world: World, web: Any, cast: Cast) -> None:
    page = web("police").get(pack_url(world)).content.decode()
    name = packs.reader_name(cast.police.user)

    assert 'class="print-marking"' in page
    assert f"printed for {name} on 20 Mar 2026 10:00" in " ".join(page.split())


# --- audit --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("suffix", "fmt"), [("pack/", "print"), ("pack.pdf", "pdf")])
def test_each_print_and_download_of_the_pack_is_recorded_as_an_export(
    suffix: str, fmt: str, world: World, web: Any
) -> None:
    client = web("care")
    before = AuditEvent.objects.count()

    client.get(pack_url(world, suffix))
    client.get(pack_url(world, suffix))

    events = list(AuditEvent.objects.order_by("-id")[:2])
    assert AuditEvent.objects.count() == before + 2
    for event in events:
        assert (event.action, event.object_type) == ("export", "meeting_pack")
        assert event.object_id == str(world.next_meeting.pk)
        assert event.detail["format"] == fmt
        assert sorted(event.detail["cases"]) == [REFERENCES["A"], REFERENCES["B"]]
        assert event.username == "care"


def test_printing_the_minutes_is_recorded_as_an_export(world: World, web: Any) -> None:
    web("police").get(minutes_url(world, "minutes.pdf"))

    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert (event.action, event.object_type, event.case_reference) == (
        "export",
        "minutes",
        REFERENCES["A"],
    )
    assert event.detail["format"] == "pdf"


# --- cost ---------------------------------------------------------------------------------------


def _queries(run: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        run()
    return len(queries)


@pytest.mark.parametrize("persona", ["coordinator", "social"])
def test_the_pack_costs_the_same_queries_for_three_slots_or_seven(
    persona: str, world: World, web: Any, cast: Cast
) -> None:
    client = web(persona)
    client.get(pack_url(world))  # the session's first read is not the page's cost
    three = (
        _queries(lambda: client.get(pack_url(world))),
        _queries(lambda: client.get(pack_url(world, "pack.pdf"))),
    )
    for n in range(4):
        key = f"extra{n}"
        world.cases[key] = make_case(cast, f"MDA-2026-02{n:02d}", {"local_team": 2, "ggz": 1})
        put_on_both_agendas(world, key)

    seven = (
        _queries(lambda: client.get(pack_url(world))),
        _queries(lambda: client.get(pack_url(world, "pack.pdf"))),
    )

    assert (
        len(
            packs.meeting_pack(
                actor=cast.personas[persona].user,
                meeting=access_meeting(cast.personas[persona].user, world.next_meeting.pk),
                fmt="print",
            ).slots
        )
        >= 6
    )
    assert seven == three


@pytest.mark.parametrize("persona", ["coordinator", "police"])
def test_the_case_page_costs_the_same_queries_for_one_past_meeting_or_three(
    persona: str, world: World, cast: Cast, time_machine: Any
) -> None:
    """Whether the minutes of each past slot are the reader's to read is decided from the case
    the page already holds, not by reading the case again per slot."""
    later = Meeting.objects.filter(series=world.series).order_by("starts_at")[2]  # 7 April
    world.add("A", meeting=later)
    world.publish(later)
    url = f"/cases/{world.cases['A'].pk}/"

    def page_queries(day: int, month: int) -> int:
        time_machine.move_to(datetime(2026, month, day, 12, 0, tzinfo=AMSTERDAM), tick=False)
        client = login_client(cast.personas[persona])
        client.get(url)  # the session's first read is not the page's cost
        return _queries(lambda: client.get(url))

    one = page_queries(25, 3)  # 24 March past; 31 March and 7 April ahead
    three = page_queries(8, 4)
    assert three == one


# --- printed minutes ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_printed_minutes_hold_each_reader_s_slots_at_their_level(
    persona: str, world: World, web: Any
) -> None:
    client = web(persona)
    page = client.get(minutes_url(world))
    download = client.get(minutes_url(world, "minutes.pdf"))

    levels = LEVELS[persona]
    if levels is None:
        assert (page.status_code, download.status_code) == (404, 404)
        return
    assert (page.status_code, download.status_code) == (200, 200)
    for text in (page.content.decode(), "\n".join(pdf_text(download.content))):
        for key, reference in REFERENCES.items():
            level = levels.get(key)
            assert (reference in text) == (level is not None), (persona, key)
            assert (views_marker(key) in text) == (level == 2), (persona, key)
            assert (decision_marker(key) in text) == (level == 2), (persona, key)


def test_partners_find_no_minutes_to_print_before_they_are_published(
    world: World, web: Any
) -> None:
    Meeting.objects.filter(pk=world.meeting.pk).update(minutes_published_at=None)

    police = web("police").get(minutes_url(world)).content.decode()
    coordinator = web("coordinator").get(minutes_url(world)).content.decode()

    assert REFERENCES["A"] not in police
    assert "No minutes that you may read." in police
    assert views_marker("A") in coordinator
    assert "Draft" in coordinator


# --- invitations and answers ---------------------------------------------------------------------

# The overview is the coordinator's: others who see the meeting get 403, the rest 404.
OVERVIEW = {
    "coordinator": 200,
    "chair": 403,
    "police": 403,
    "care": 403,
    "social": 403,
    "escalation": 403,
    "veilig_thuis": 403,
    "privacy": 404,
    "admin": 404,
    "policy": 404,
    "outsider": 404,
    "outsider_police": 404,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_coordinator_sees_the_invitations_and_answers(
    persona: str, world: World, web: Any, api: Any
) -> None:
    page = web(persona).get(pack_url(world, "invitations/"))
    listed = api(persona).get(f"/api/v1/meetings/{world.next_meeting.pk}/invitations/")

    assert page.status_code == OVERVIEW[persona]
    assert listed.status_code == OVERVIEW[persona]


def test_the_overview_shows_each_organisation_s_answer_per_slot(
    world: World, web: Any, api: Any, cast: Cast
) -> None:
    police = cast.police.user
    item = access_meeting(police, world.next_meeting.pk)
    slot = world.next_meeting.items.current().get(case=world.cases["A"])
    assert item is not None
    invitations.invitation_respond(
        actor=police, item=slot, organisation=cast.orgs["police"], response="apology"
    )

    rows = api("coordinator").get(f"/api/v1/meetings/{world.next_meeting.pk}/invitations/").json()
    page = web("coordinator").get(pack_url(world, "invitations/")).content.decode()

    by_name = {row["organisation_name"]: row for row in rows}
    assert set(by_name) == {"Politie Noord", "GGZ Noord", "Lokaal team Noord", "Veilig Thuis Noord"}
    politie = by_name["Politie Noord"]
    assert (politie["apologies"], politie["unanswered"]) == (1, 0)
    assert [(i["case_reference"], i["response"]) for i in politie["invitations"]] == [
        (REFERENCES["A"], "apology")
    ]
    assert [i["case_reference"] for i in by_name["Lokaal team Noord"]["invitations"]] == [
        REFERENCES["A"],
        REFERENCES["B"],
    ]
    assert by_name["Lokaal team Noord"]["unanswered"] == 2
    assert "Politie Noord" in page
    assert "Apology" in page


def test_the_meeting_page_links_to_the_pack_the_minutes_and_the_overview(
    world: World, web: Any
) -> None:
    coordinator = web("coordinator").get(f"/meetings/{world.meeting.pk}/").content.decode()
    police = web("police").get(f"/meetings/{world.next_meeting.pk}/").content.decode()

    assert (
        pack_url(world, "pack/").replace(str(world.next_meeting.pk), str(world.meeting.pk))
        in coordinator
    )
    assert minutes_url(world) in coordinator
    assert f"/meetings/{world.meeting.pk}/invitations/" in coordinator
    assert pack_url(world) in police
    assert pack_url(world, "invitations/") not in police
    assert pack_url(world, "minutes/print/") not in police  # not published yet


# --- contributions --------------------------------------------------------------------------------

CONTRIBUTION_SEES = {"coordinator": True, "police": True, "social": True, "care": False}


@pytest.mark.parametrize("persona", list(CONTRIBUTION_SEES))
def test_the_pack_holds_the_contributions_the_reader_may_read_at_level_2(
    persona: str, world: World, web: Any, cast: Cast
) -> None:
    slot = world.next_meeting.items.current().get(case=world.cases["A"])
    contributions.contribution_save(
        actor=cast.police.user,
        item=access_agenda_item(cast.police.user, world.next_meeting, slot.pk),
        text=contributions.ContributionText(known_since="CONTRIBUTION-A-MARKER nieuwe melding"),
        submit=True,
        visibility="participants",
    )

    page = web(persona).get(pack_url(world)).content.decode()
    pdf = "\n".join(pdf_text(web(persona).get(pack_url(world, "pack.pdf")).content))

    for text in (page, pdf):
        assert ("CONTRIBUTION-A-MARKER" in text) == CONTRIBUTION_SEES[persona]
