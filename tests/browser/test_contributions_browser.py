"""In a real browser: a lokaal-team worker writes a contribution for a case's slot, first as a
draft, then submits it; the coordinator's agenda then shows who contributed and the police (level
2) reads it, while GGZ (level 1) sees only that it was given. Every page Dutch, axe-core without
serious or critical violations at 1366 and 390 pixels, no sideways scrolling on a phone, and
screenshots in var/screenshots/contributions/ to look at.

The clock: Monday 16 March 2026 08:00 (BROWSER_NOW); the meeting is on Tuesday 17 March 09:30
with its information deadline on Monday 12:00 (the second test gives the slot its own, at 08:05)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from scheduling.models import Contribution
from scheduling.services import agendas, meetings
from tests.browser.conftest import BROWSER_NOW, log_in_as, new_context
from tests.browser.test_accessibility import look_at_widths
from tests.conftest import Cast
from tests.scheduling.meetings_support import make_case, make_series, managed, managed_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = settings.VAR_DIR / "screenshots" / "contributions"
REFERENCE = "MDA-2026-0601"


def _published(cast: Cast) -> tuple[Any, Any]:
    from django.utils import timezone

    case = make_case(cast, REFERENCE, {"local_team": 2, "police": 2, "ggz": 1})
    series = make_series(cast, starts_on=timezone.localdate())
    meeting = meetings.meetings_generate(series=series)[0]
    coordinator = cast.coordinator.user
    item = agendas.agenda_item_add(
        actor=coordinator, meeting=managed(coordinator, meeting), case=case
    )
    agendas.agenda_publish(actor=coordinator, meeting=managed(coordinator, meeting))
    return meeting, item


def _look(page: Page, name: str, problems: list[str]) -> None:
    """Screenshots at both widths; Dutch, accessible, no sideways scrolling on a phone."""
    if page.locator("html").get_attribute("lang") != "nl":
        problems.append(f"{name}: not Dutch")
    look_at_widths(page, name, SHOTS, problems)
    page.set_viewport_size({"width": 1366, "height": 900})


def _post(page: Page, button: Any) -> None:
    with page.expect_navigation():
        button.click()


def test_a_partner_drafts_and_submits_a_contribution_and_the_agenda_shows_it(
    cast: Cast, browser: Browser, live_server: LiveServer
) -> None:
    meeting, item = _published(cast)
    agenda_url = f"{live_server.url}/meetings/{meeting.pk}/"
    problems: list[str] = []
    social = new_context(browser)
    try:
        log_in_as(social, live_server, cast.social)
        page = social.new_page()
        page.goto(agenda_url)
        _look(page, "agenda-partner", problems)
        page.locator("a[href$='/contributions/']").click()
        page.wait_for_load_state()
        _look(page, "form-empty", problems)

        page.fill("textarea[name=known_since]", "Moeder meldt minder spanning thuis.")
        page.fill("textarea[name=risks]", "Vader zocht weer contact.")
        _post(page, page.locator("button[value=draft]"))
        expect(page.locator("textarea[name=known_since]")).to_have_value(
            "Moeder meldt minder spanning thuis."
        )
        assert Contribution.objects.get().status == "draft"
        _look(page, "form-draft", problems)

        page.fill("textarea[name=proposals]", "Veiligheidsplan actualiseren.")
        _post(page, page.locator("button[value=submit]"))
        assert Contribution.objects.get().status == "submitted"
    finally:
        social.close()

    readers = {"coordinator": True, "police": True, "care": False}
    for persona, reads in readers.items():
        ctx = new_context(browser)
        try:
            log_in_as(ctx, live_server, cast.personas[persona])
            page = ctx.new_page()
            page.goto(agenda_url)
            row = page.locator(f"tr[data-reference='{REFERENCE}'] .agenda__contributions")
            expect(row).to_contain_text("1 van 3 hebben bijgedragen: Lokaal team Noord")
            if persona == "coordinator":
                _look(page, "agenda-coordinator", problems)
            page.goto(f"{agenda_url}items/{item.pk}/contributions/")
            has_text = "Veiligheidsplan actualiseren." in page.inner_text("main")
            assert has_text == reads, persona
            _look(page, f"read-{persona}", problems)
        finally:
            ctx.close()
    assert problems == []


def test_after_the_deadline_the_form_keeps_what_was_typed_and_says_why(
    cast: Cast, browser: Browser, live_server: LiveServer, time_machine: Any
) -> None:
    meeting, item = _published(cast)
    deadline = BROWSER_NOW + timedelta(minutes=5)  # the slot's own deadline, 08:05
    coordinator = cast.coordinator.user
    agendas.agenda_item_update(
        actor=coordinator,
        item=managed_item(coordinator, item),
        slot_minutes=item.slot_minutes,
        information_deadline=deadline,
    )
    url = f"{live_server.url}/meetings/{meeting.pk}/items/{item.pk}/contributions/"
    ctx = new_context(browser)
    try:
        log_in_as(ctx, live_server, cast.social)
        page = ctx.new_page()
        page.goto(url)  # the form is open at 08:00
        page.fill("textarea[name=known_since]", "Getypt net na de deadline.")
        time_machine.move_to(deadline, tick=True)  # the server's clock: the deadline passes
        _post(page, page.locator("button[value=submit]"))

        expect(page.locator("textarea[name=known_since]")).to_have_value(
            "Getypt net na de deadline."
        )
        expect(page.locator("main")).to_contain_text("De aanleverdeadline")
        problems: list[str] = []
        _look(page, "form-too-late", problems)
        assert problems == []
        assert not Contribution.objects.exists()
    finally:
        ctx.close()
