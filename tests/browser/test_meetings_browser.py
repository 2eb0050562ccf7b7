"""In a real browser: a coordinator builds and publishes an agenda; a police officer then sees only
the police's slot. axe checks each page on the way (no serious or critical violations).

Selectors use form actions and field names, not texts, so translating the pages breaks nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from scheduling.services import meetings
from tests.browser.conftest import log_in_as, new_context
from tests.browser.test_accessibility import blocking_violations, summary
from tests.conftest import Cast
from tests.scheduling.meetings_support import make_case, make_series

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLICE_CASE, CARE_CASE = "MDA-2026-0501", "MDA-2026-0502"


def _accessible(page: Page) -> None:
    assert summary(blocking_violations(page, accepted=set())) == []


def _post_and_wait(page: Page, button: Any) -> None:
    with page.expect_navigation():
        button.click()


def _add_case(page: Page, case_id: str) -> None:
    form = page.locator("form[action$='/items/']").filter(has=page.locator("select[name=case]"))
    form.locator("select[name=case]").select_option(case_id)
    _post_and_wait(page, form.locator("button[type=submit]"))


def test_a_coordinator_publishes_an_agenda_and_the_police_sees_only_its_slot(
    cast: Cast, browser: Browser, context: BrowserContext, page: Page, live_server: LiveServer
) -> None:
    police_case = make_case(cast, POLICE_CASE, {"police": 2, "local_team": 2})
    care_case = make_case(cast, CARE_CASE, {"ggz": 2})
    meeting = meetings.meetings_generate(series=make_series(cast, starts_on=_today()))[0]
    url = f"{live_server.url}/meetings/{meeting.pk}/"

    log_in_as(context, live_server, cast.coordinator)
    page.goto(url)
    # The browser's clock runs from where the server's does (Monday 16 March 2026, 08:00 CET).
    assert page.evaluate("new Date().toISOString()").startswith("2026-03-16T")
    _accessible(page)
    _add_case(page, str(care_case.pk))
    _add_case(page, str(police_case.pk))
    rows = page.locator("tr.agenda__row")
    expect(rows).to_have_count(2)
    _post_and_wait(page, page.locator(f"tr[data-reference='{POLICE_CASE}'] button[value=up]"))
    expect(rows.first).to_have_attribute("data-reference", POLICE_CASE)
    _post_and_wait(page, page.locator("form[action$='/publish/'] button"))
    expect(page.locator(f"tr[data-reference='{POLICE_CASE}']")).to_contain_text("Politie Noord")
    _accessible(page)
    page.goto(f"{live_server.url}/meetings/week/?week={_today().isoformat()}")
    expect(page.locator(f"a[href='/meetings/{meeting.pk}/']")).to_be_visible()
    _accessible(page)

    police = new_context(browser)
    try:
        log_in_as(police, live_server, cast.police)
        seen = police.new_page()
        seen.goto(f"{live_server.url}/meetings/mine/")
        expect(seen.locator("tr.agenda__row")).to_have_count(1)
        expect(seen.locator("tr.agenda__row")).to_have_attribute("data-reference", POLICE_CASE)
        _accessible(seen)
        seen.goto(url)
        expect(seen.locator("tr.agenda__row")).to_have_count(1)
        assert CARE_CASE not in seen.content()
        _accessible(seen)
        form = seen.locator("form[action$='/response/']")
        form.locator("select[name$=response]").select_option("attending")
        _post_and_wait(seen, form.locator("button[type=submit]"))
        expect(seen.locator("tr.agenda__row")).to_contain_text("Politie Noord")
    finally:
        police.close()


def test_a_coordinator_ticks_two_proposals_and_adds_them_at_once(
    cast: Cast, context: BrowserContext, page: Page, live_server: LiveServer
) -> None:
    from casework.models import CaseStatus

    first = make_case(cast, POLICE_CASE, {"police": 2}, status=CaseStatus.INTAKE)
    second = make_case(cast, CARE_CASE, {"ggz": 2}, status=CaseStatus.INTAKE)
    meeting = meetings.meetings_generate(series=make_series(cast, starts_on=_today()))[0]
    log_in_as(context, live_server, cast.coordinator)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")

    # The boxes sit in the proposals' table, outside the form they belong to (form="...").
    for case in (second, first):
        page.locator(f"input[type=checkbox][value='{case.pk}']").check()
    _post_and_wait(page, page.locator("form#add-chosen button[type=submit]"))

    rows = page.locator("tr.agenda__row")
    expect(rows).to_have_count(2)
    # In the proposals' order (by reference), whatever the order of ticking.
    expect(rows.first).to_have_attribute("data-reference", POLICE_CASE)
    expect(rows.nth(1)).to_have_attribute("data-reference", CARE_CASE)
    expect(page.locator("form#add-chosen")).to_have_count(0)  # nothing left to propose
    _accessible(page)


def _today() -> Any:
    from django.utils import timezone

    return timezone.localdate()


def _published_meeting(cast: Cast) -> tuple[Any, Any]:
    from scheduling.services import agendas
    from tests.scheduling.meetings_support import managed

    case = make_case(cast, POLICE_CASE, {"police": 2, "local_team": 2})
    meeting = meetings.meetings_generate(series=make_series(cast, starts_on=_today()))[0]
    coordinator = cast.coordinator.user
    item = agendas.agenda_item_add(
        actor=coordinator, meeting=managed(coordinator, meeting), case=case
    )
    agendas.agenda_publish(actor=coordinator, meeting=managed(coordinator, meeting))
    return meeting, item


PAGES = {
    "run": lambda m, i: f"/meetings/{m.pk}/run/",
    "minutes": lambda m, i: f"/meetings/{m.pk}/items/{i.pk}/minutes/",
    "series": lambda m, i: "/meetings/series/",
    "series-form": lambda m, i: f"/meetings/series/{m.series_id}/",
    "series-new": lambda m, i: "/meetings/series/new/",
    "emergency": lambda m, i: f"/cases/{i.case_id}/emergency-meeting/",
    "calendar-feed": lambda m, i: "/meetings/calendar-feed/",
    "case": lambda m, i: f"/cases/{i.case_id}/",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_the_meeting_pages_of_a_coordinator_have_no_serious_accessibility_violations(
    name: str, cast: Cast, context: BrowserContext, page: Page, live_server: LiveServer
) -> None:
    meeting, item = _published_meeting(cast)
    log_in_as(context, live_server, cast.coordinator)

    response = page.goto(f"{live_server.url}{PAGES[name](meeting, item)}")

    assert response is not None and response.status == 200
    _accessible(page)
