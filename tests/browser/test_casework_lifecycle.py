"""The life of a case through a real browser: a professional refers a household, a coordinator
triages and accepts it, and the case page shows the Signs of Safety chart. axe-core finds no
serious or critical violation on any of these pages. Selectors use names and ids, not wording,
so translating the pages does not break the tests."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from casework import services
from casework.models import Case
from tests.browser.conftest import log_in_as
from tests.browser.test_accessibility import blocking_violations, summary
from tests.casework.conftest import refer
from tests.casework.lifecycle_support import as_seen_by, move
from tests.conftest import Cast

pytestmark = pytest.mark.browser


def no_serious_violations(page: Page) -> None:
    assert summary(blocking_violations(page, accepted=set())) == []


def test_a_professional_refers_a_household_through_the_form(
    cast: Cast, context: BrowserContext, page: Page, live_server: LiveServer
) -> None:
    log_in_as(context, live_server, cast.social)
    page.goto(f"{live_server.url}/")
    page.locator("a[href='/cases/refer/']").first.click()
    page.wait_for_url("**/cases/refer/")
    no_serious_violations(page)

    page.locator("#id_reason").fill("Herhaald geweld; kinderen getuige.")
    page.locator("#id_goal").fill("Eén veiligheidsplan met één casusregisseur.")
    page.locator("input[name=criteria][value=repeated_incidents]").check()
    page.locator("#id_members-0-role").select_option("victim")
    page.locator("#id_members-0-label").fill("moeder")
    page.locator("#id_members-0-bsn").fill("123456782")
    page.locator("#id_members-1-role").select_option("child")
    page.locator("#id_members-1-label").fill("kind 1")
    page.locator("input[name=family_informed][value=yes]").check()
    with page.expect_navigation():
        page.locator("form.referral button[type=submit]").click()

    case = Case.objects.get()
    assert page.url == f"{live_server.url}/cases/{case.pk}/"
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    assert case.members.count() == 2 and case.triage_due_on is not None
    no_serious_violations(page)


def test_a_coordinator_triages_and_accepts_a_referral(
    cast: Cast, context: BrowserContext, page: Page, live_server: LiveServer
) -> None:
    case = refer(cast)
    log_in_as(context, live_server, cast.coordinator)
    page.goto(f"{live_server.url}/triage/")
    expect(page.locator("table.triage")).to_contain_text(case.reference)
    no_serious_violations(page)

    page.locator(f"a[href='/cases/{case.pk}/transition/']").click()
    page.wait_for_url(f"**/cases/{case.pk}/transition/")
    no_serious_violations(page)
    page.locator("#id_transition_accept").check()
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()

    assert page.url == f"{live_server.url}/cases/{case.pk}/"
    expect(page.locator(".status--intake")).to_be_visible()
    case.refresh_from_db()
    assert (case.status, case.safety_phase) == ("intake", 1)


def test_the_case_page_shows_the_scale_chart_and_its_table(
    cast: Cast, context: BrowserContext, page: Page, live_server: LiveServer
) -> None:
    case = move(cast, refer(cast), "accept")
    mother = case.members.get(label="moeder")
    # Readings before the browser tests' moment (16 March 2026): none may lie in the future.
    readings = [(date(2025, 10, 1), 2, 7), (date(2025, 12, 1), 5, 8), (date(2026, 2, 1), 7, 8)]
    for scored_on, professional, parent in readings:
        for perspective, value, member in (
            ("professional", professional, None),
            ("parent", parent, mother),
        ):
            services.score_add(
                actor=cast.coordinator.user,
                case=as_seen_by(cast, "coordinator", case),
                value=value,
                scored_on=scored_on,
                perspective=perspective,
                member=member,
            )
    log_in_as(context, live_server, cast.coordinator)
    page.goto(f"{live_server.url}/cases/{case.pk}/")

    chart = page.locator("svg.scale__svg")
    expect(chart).to_be_visible()
    expect(chart.locator("polyline")).to_have_count(2)
    expect(chart.locator("polygon.scale__band")).to_have_count(1)
    expect(page.locator("table.scale__table tbody tr")).to_have_count(3)
    no_serious_violations(page)
