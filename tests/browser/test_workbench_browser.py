"""The workbench in a real browser, as each role uses it, at desktop and phone width.

The server and the browser both stand on Friday 20 March 2026, 10:00 Amsterdam (time-machine in
the live server's process, Playwright's clock in the page). One world is built per test (the
region-north world of tests/workbench/support.py) and every page is checked in it: axe-core at
1366 and 390 pixels wide (no serious or critical violation), no sideways scrolling at 390, and,
with MDA_SCREENSHOTS=1, a screenshot of each in var/screenshots/workbench/ to look at. A page is
loaded once and then narrowed: the layout follows the width through CSS alone (no script reads
it), so the narrowed page is the page a phone loads. Selectors use names and ids."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from casework.models import Participation
from tests.browser.conftest import TIMEOUT_MS, log_in_as
from tests.browser.test_accessibility import WIDTHS, look_at_widths
from tests.casework.conftest import IDENTITY_BSN, refer
from tests.scheduling.meetings_support import (  # noqa: F401 - fixtures
    NOW,
    World,
    draft_agenda,
    world,
)
from tests.workbench.support import Bench, build_bench

pytestmark = pytest.mark.browser
SHOTS = settings.VAR_DIR / "screenshots" / "workbench"


@pytest.fixture
def bench(world: World) -> Bench:  # noqa: F811 - built on the fixture above
    return build_bench(world)


@pytest.fixture
def frozen(time_machine: Any) -> None:
    """The live server runs in this process: time-machine moves its clock too (ticking on)."""
    time_machine.move_to(NOW, tick=True)


def _context(
    browser: Browser, live_server: LiveServer, bench: Bench, persona: str
) -> BrowserContext:
    ctx = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 900})
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.clock.install(time=NOW.astimezone(UTC))
    log_in_as(ctx, live_server, bench.cast.personas[persona])
    return ctx


@pytest.fixture
def as_persona(
    browser: Browser, live_server: LiveServer, bench: Bench, frozen: None
) -> Iterator[Callable[[str], Page]]:
    contexts: dict[str, BrowserContext] = {}

    def page_of(persona: str) -> Page:
        if persona not in contexts:
            contexts[persona] = _context(browser, live_server, bench, persona)
        return contexts[persona].new_page()

    yield page_of
    for ctx in contexts.values():
        ctx.close()


# --- Every page of the workbench, for axe and the phone width --------------------------------


def _pages(bench: Bench) -> list[tuple[str, str, str]]:
    """(name, persona, path) of every page the workbench added or changed."""
    w = bench.world
    case_a, case_b = w.cases["A"], w.cases["B"]
    referral = refer(bench.cast)
    member = referral.members.get(label="moeder")
    ggz = Participation.objects.get(case=case_a, organisation=bench.cast.orgs["ggz"])
    agreement = case_a.agreements.get()
    return [
        ("today-coordinator", "coordinator", "/"),
        ("today-chair", "chair", "/"),
        ("today-police", "police", "/"),
        ("today-escalation", "escalation", "/"),
        ("today-privacy", "privacy", "/"),
        ("today-admin", "admin", "/"),
        ("today-policy", "policy", "/"),
        ("cases", "coordinator", "/cases/"),
        ("cases-filtered", "coordinator", "/cases/?status=execution&status=plan&sort=status"),
        ("cases-filter-error", "coordinator", "/cases/?status=nonsense"),
        ("cases-partner", "veilig_thuis", "/cases/"),
        ("case-coordinator", "coordinator", f"/cases/{case_a.pk}/"),
        ("case-police", "police", f"/cases/{case_a.pk}/"),
        ("case-level-0", "veilig_thuis", f"/cases/{case_a.pk}/"),
        ("confirm-revoke", "coordinator", f"/cases/{case_a.pk}/participants/{ggz.pk}/revoke/"),
        ("confirm-reveal", "coordinator", f"/cases/{referral.pk}/members/{member.pk}/reveal/"),
        ("confirm-cancel", "coordinator", f"/meetings/{w.meeting.pk}/cancel/"),
        (
            "confirm-remove",
            "coordinator",
            f"/meetings/{w.meeting.pk}/items/{w.item('C').pk}/remove/",
        ),
        ("transition", "coordinator", f"/cases/{case_b.pk}/transition/"),
        ("agreement", "coordinator", f"/agreements/{agreement.pk}/"),
        ("agreement-new", "coordinator", f"/cases/{case_a.pk}/agreements/new/"),
        ("director", "coordinator", f"/cases/{case_a.pk}/director/"),
        ("my-agreements", "social", "/agreements/"),
        ("meeting", "coordinator", f"/meetings/{w.meeting.pk}/"),
        ("escalations", "escalation", "/escalations/"),
        ("access-log", "privacy", f"/privacy/cases/{case_a.pk}/access-log/"),
        ("ladders", "coordinator", "/ladders/"),
    ]


def test_every_workbench_page_is_accessible_and_fits_a_phone(
    bench: Bench, as_persona: Callable[[str], Page], live_server: LiveServer
) -> None:
    problems: list[str] = []
    pages: dict[str, Page] = {}
    for name, persona, path in _pages(bench):
        if persona not in pages:
            pages[persona] = as_persona(persona)
        page = pages[persona]
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status < 500, (name, response)
        if page.locator("html").get_attribute("lang") != "nl":
            problems.append(f"{name}: not Dutch")
        look_at_widths(page, name, SHOTS, problems)
    assert problems == []


# --- Walks ---------------------------------------------------------------------------------


def test_a_coordinator_starts_the_day_and_goes_to_what_needs_them(
    bench: Bench, as_persona: Callable[[str], Page], live_server: LiveServer
) -> None:
    page = as_persona("coordinator")
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vandaag")
    attention = page.locator("section[aria-labelledby=attention-heading]")
    expect(attention.locator(".card__count")).to_have_text("1")
    attention.get_by_role("link", name=bench.ref("A"), exact=False).first.click()
    page.wait_for_url("**/agreements/*/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.go_back()
    meetings = page.locator("section[aria-labelledby=meetings-heading]")
    expect(meetings).to_contain_text("di 24 mrt. 09:30")
    meetings.get_by_role("link").first.click()
    page.wait_for_url(f"**/meetings/{bench.world.meeting.pk}/")


def test_a_partner_starts_with_own_agreements_and_slots(
    bench: Bench, as_persona: Callable[[str], Page], live_server: LiveServer
) -> None:
    page = as_persona("social")
    page.goto(f"{live_server.url}/")
    mine = page.locator("section[aria-labelledby=mine-heading]")
    expect(mine).to_contain_text("1 te laat")
    slots = page.locator("section[aria-labelledby=slots-heading]")
    expect(slots).to_contain_text(bench.ref("A"))
    expect(slots).to_contain_text(bench.ref("B"))
    expect(slots).not_to_contain_text(bench.ref("C"))
    mine.get_by_role("link", name="Mijn afspraken").click()
    page.wait_for_url("**/agreements/")


def test_escalation_officials_and_privacy_officers_have_their_own_start(
    bench: Bench, as_persona: Callable[[str], Page], live_server: LiveServer
) -> None:
    escalation = as_persona("escalation")
    escalation.goto(f"{live_server.url}/")
    expect(escalation.locator("#escalations-heading")).to_have_text("Opschalingen om te bevestigen")
    privacy = as_persona("privacy")
    privacy.goto(f"{live_server.url}/")
    expect(privacy.locator("#reveals-heading")).to_be_visible()
    expect(privacy.locator("#triage-heading")).to_have_count(0)


def test_a_coordinator_finds_a_case_by_reference_filter_and_person(
    bench: Bench, as_persona: Callable[[str], Page], live_server: LiveServer
) -> None:
    referral = refer(bench.cast)
    page = as_persona("coordinator")
    page.goto(f"{live_server.url}/cases/")
    page.locator("#id_q").fill("0101")
    with page.expect_navigation():
        page.locator("form.case-filters button[type=submit]").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(bench.ref("A"))
    expect(rows.first).to_contain_text("Lotte") if False else None

    page.locator("#id_q").fill("")
    page.locator("input[name=status][value=intake]").check()
    with page.expect_navigation():
        page.locator("form.case-filters button[type=submit]").click()
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table tbody")).to_contain_text(bench.ref("C"))
    expect(page.locator("input[name=status][value=intake]")).to_be_checked()  # the filter stays

    page.locator(".person-search summary").click()
    page.locator("#id_bsn").fill("123456789")  # fails the eleven test
    with page.expect_navigation():
        page.locator(".person-search button[type=submit]").click()
    summary_box = page.locator("[data-error-summary]").first
    expect(summary_box).to_be_focused()
    expect(page.locator("#id_bsn")).to_have_value("123456789")  # what was typed is kept
    summary_box.get_by_role("link").first.click()
    expect(page.locator("#id_bsn")).to_be_focused()

    page.locator("#id_bsn").fill(IDENTITY_BSN)
    with page.expect_navigation():
        page.locator(".person-search button[type=submit]").click()
    expect(page.locator("table tbody")).to_contain_text(referral.reference)


def test_at_phone_width_the_menu_is_behind_a_button_and_rows_stack(
    bench: Bench, as_persona: Callable[[str], Page], live_server: LiveServer
) -> None:
    page = as_persona("coordinator")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/cases/")
    menu = page.locator("[data-menu-button]")
    expect(menu).to_be_visible()
    expect(page.locator("#site-nav")).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#site-nav").get_by_role("link", name="Vandaag")).to_be_visible()
    first_row = page.locator("table tbody tr").first
    assert first_row.evaluate("row => getComputedStyle(row).display") == "block"
    status_cell = first_row.locator("td").nth(1)
    assert status_cell.get_attribute("data-label") == "Status"
    page.set_viewport_size({"width": 1366, "height": 800})
    expect(menu).to_be_hidden()
    expect(page.locator("#site-nav")).to_be_visible()


def test_a_people_picker_follows_the_chosen_organisation(
    bench: Bench, as_persona: Callable[[str], Page], live_server: LiveServer
) -> None:
    page = as_persona("coordinator")
    page.goto(f"{live_server.url}/cases/{bench.world.cases['A'].pk}/agreements/new/")
    owner = page.locator("#id_owner")
    labels = owner.locator("option").all_inner_texts()
    assert any(", Politie Noord (" in label for label in labels)  # "Name, organisation (role)"
    assert not any("privacy" in label.lower() for label in labels)
    police = str(bench.cast.orgs["police"].pk)
    page.locator("#id_owner_organisation").select_option(police)
    offered = owner.locator("option:not([disabled])").all_inner_texts()
    assert offered[1:] and all("Politie Noord" in label for label in offered[1:])
