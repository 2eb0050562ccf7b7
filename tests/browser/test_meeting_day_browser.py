"""In a real browser, the meeting day: the day before, the run page only says when it opens; on the
day the chair sees the current slot with its running timer and records the attendance checklist;
the coordinator records the confidentiality statement, types minutes (kept as a draft, never lost
to a refused save), reviews an open agreement with an explicit outcome, and publishes.

Time is frozen in both clocks: the live server (time-machine, in this process) and the page
(Playwright's clock, installed by ``new_context`` at the server's moved time)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from casework import services as casework_services
from casework.access import access_case
from casework.models import Agreement, AgreementStatus
from mda.workdays import AMSTERDAM
from scheduling.models import ItemMinutes, SlotAttendance
from scheduling.services import agendas, meetings
from tests.browser.conftest import SCREENSHOTS, log_in_as, new_context, screenshot
from tests.browser.test_accessibility import blocking_violations, summary
from tests.conftest import Cast
from tests.scheduling.meetings_support import make_case, make_series, managed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = "MDA-2026-0601"
TYPED = "Vader is vorige week uit huis gegaan; moeder zoekt hulp bij schulden."
# The first meeting of the series made on Monday 16 March: Tuesday 17 March, 09:30-12:30.
MEETING_DAY = datetime(2026, 3, 17, 9, 33, tzinfo=AMSTERDAM)


def _accessible(page: Page) -> None:
    assert summary(blocking_violations(page, accepted=set())) == []


def _submit(page: Page, form: Any) -> None:
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def _shots(page: Page, name: str) -> None:
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, SCREENSHOTS / f"{name}-{width}.png", full_page=True)
        # A phone shows the page without sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1280, "height": 900})


def _meeting(cast: Cast) -> tuple[Any, Any, Agreement]:
    case = make_case(cast, REFERENCE, {"police": 2, "local_team": 2, "ggz": 1})
    coordinator = cast.coordinator.user
    meeting = meetings.meetings_generate(series=make_series(cast, starts_on=date(2026, 3, 16)))[0]
    item = agendas.agenda_item_add(
        actor=coordinator, meeting=managed(coordinator, meeting), case=case
    )
    agendas.agenda_publish(actor=coordinator, meeting=managed(coordinator, meeting))
    agreement = casework_services.agreement_create(
        actor=coordinator,
        case=access_case(coordinator, case.pk),
        description="Schuldhulpverlening regelen",
        owner_organisation=cast.orgs["local_team"],
        due_date=date(2026, 3, 20),
    )
    return meeting, item, agreement


def test_the_meeting_day_as_chair_and_coordinator(
    cast: Cast,
    browser: Browser,
    context: BrowserContext,
    page: Page,
    live_server: LiveServer,
    time_machine: Any,
) -> None:
    meeting, item, agreement = _meeting(cast)
    run = f"{live_server.url}/meetings/{meeting.pk}/run/"
    assert meeting.starts_at.astimezone(AMSTERDAM).date() == MEETING_DAY.date()

    # The day before: the page says when it opens, and offers nothing that would be refused.
    log_in_as(context, live_server, cast.coordinator)
    page.goto(run)
    expect(page.locator("[data-run-closed]")).to_contain_text("17 mrt. 2026")
    expect(page.locator("form[action$='/attendance/']")).to_have_count(0)

    time_machine.move_to(MEETING_DAY, tick=True)
    chair = new_context(browser)
    coordinator = new_context(browser)
    try:
        _chair_runs(chair, live_server, cast, run, item)
        _coordinator_records(coordinator, live_server, cast, run, meeting, item, agreement)
    finally:
        chair.close()
        coordinator.close()


def _chair_runs(
    ctx: BrowserContext, live_server: LiveServer, cast: Cast, run: str, item: Any
) -> None:
    log_in_as(ctx, live_server, cast.chair)
    page = ctx.new_page()
    page.goto(run)
    assert page.evaluate("new Date().toISOString()").startswith("2026-03-17T08:3")
    expect(page.locator(".now__slot")).to_contain_text(REFERENCE)
    timer = page.locator("[data-slot-timer]")
    expect(timer).to_have_text(re.compile(r"^03:\d\d$"))
    page.clock.run_for(60_000)
    expect(timer).to_have_text(re.compile(r"^04:\d\d$"))
    _accessible(page)

    orgs = cast.orgs
    for key, status in (("police", "present"), ("ggz", "apology"), ("local_team", "present")):
        page.locator(f"#att-{item.pk}-{orgs[key].pk}-{status}").check()
    expect(page.locator(f"input[name='att-{item.pk}-{orgs['veilig_thuis'].pk}']")).to_have_count(0)
    _shots(page, "meeting-run")
    _submit(page, page.locator("form[action$='/attendance/']"))
    expect(page.locator(f"#att-{item.pk}-{orgs['ggz'].pk}-apology")).to_be_checked()
    assert dict(
        SlotAttendance.objects.filter(item=item).values_list("organisation__slug", "status")
    ) == {"police": "present", "ggz": "apology", "local-team": "present"}
    # The chair runs the meeting but does not record the minutes.
    expect(page.locator("form[action$='/minutes/publish/']")).to_have_count(0)


def _coordinator_records(
    ctx: BrowserContext,
    live_server: LiveServer,
    cast: Cast,
    run: str,
    meeting: Any,
    item: Any,
    agreement: Agreement,
) -> None:
    log_in_as(ctx, live_server, cast.coordinator)
    page = ctx.new_page()
    page.goto(run)
    _submit(page, page.locator("form[action$='/confidentiality/']"))
    page.locator(f"a[href$='/items/{item.pk}/minutes/']").click()
    # The draft keeper starts on DOMContentLoaded: typing before it would go unnoticed (a race
    # that showed on a loaded machine), so wait for the page to have loaded.
    page.wait_for_load_state()

    # Typed text is kept as a draft while typing: a reload brings it back.
    page.locator("textarea[name=shared_views]").fill(TYPED)
    with page.expect_response(lambda r: r.url.endswith("/minutes/draft/")) as saved:
        page.clock.run_for(2_000)
    assert saved.value.ok
    expect(page.locator("[data-draft-status]")).to_contain_text("opgeslagen")
    page.reload()
    expect(page.locator("textarea[name=shared_views]")).to_have_value(TYPED)

    # A refused save loses nothing.
    page.locator("textarea[name=decisions]").fill("Veiligheidsplan vernieuwd")
    page.locator("input[name=next_review_on]").fill("01-01-2026")
    _submit(page, page.locator("form[data-autosave]"))
    expect(page.locator("[data-error-summary]")).to_be_visible()
    expect(page.locator("textarea[name=shared_views]")).to_have_value(TYPED)
    expect(page.locator("input[name=next_review_on]")).to_have_value("01-01-2026")

    # The review: no outcome chosen is an error that changes nothing.
    review = page.locator(f"form[data-review='{agreement.pk}']")
    expect(review.locator("select[name=outcome]")).to_have_value("")
    _submit(page, review)
    expect(page.locator(f"form[data-review='{agreement.pk}'] [role=alert]")).to_be_visible()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.OPEN
    _shots(page, "meeting-minutes")
    _accessible(page)
    review = page.locator(f"form[data-review='{agreement.pk}']")
    review.locator("select[name=outcome]").select_option("done")
    _submit(page, review)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DONE

    page.locator("input[name=next_review_on]").fill("14-04-2026")
    _submit(page, page.locator("form[data-autosave]"))
    expect(page.locator("[data-error-summary]")).to_have_count(0)
    assert ItemMinutes.objects.filter(item=item).exists()

    page.goto(run)
    page.once("dialog", lambda dialog: dialog.accept())
    _submit(page, page.locator("form[action$='/minutes/publish/']"))
    expect(page.locator("form[action$='/minutes/publish/']")).to_have_count(0)
    meeting.refresh_from_db()
    assert meeting.minutes_published_at is not None
