"""The figures as a policy officer sees them in a browser, in Dutch: charts and tables with the
same numbers, small numbers hidden, no serious accessibility problem, and a phone-sized screen
without sideways scrolling. Screenshots at 1366 and 390 pixels wide go to var/screenshots/."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page
from pytest_django.live_server_helper import LiveServer

from mda.workdays import AMSTERDAM
from tests.browser.conftest import SCREENSHOTS, log_in_as, screenshot
from tests.browser.test_accessibility import blocking_violations, summary
from tests.conftest import Cast
from tests.steering import scenario

pytestmark = pytest.mark.browser

NOW = datetime(2026, 4, 14, 10, 0, tzinfo=AMSTERDAM)


@pytest.fixture
def figures_page(
    cast: Cast, context: BrowserContext, page: Page, live_server: LiveServer, time_machine: Any
) -> Page:
    time_machine.move_to(NOW)
    scenario.build(cast.north, cast.orgs)
    log_in_as(context, live_server, cast.policy)
    page.goto(f"{live_server.url}/figures/?period=2026-Q1")
    return page


def test_the_policy_officer_sees_charts_and_tables_in_dutch(figures_page: Page) -> None:
    page = figures_page
    assert page.locator("h1").inner_text() == "Cijfers over K1 2026"
    assert page.locator("figure.figures-chart svg").count() >= 8
    referrals = page.get_by_role("table", name="Aanmeldingen · Noord")
    assert referrals.get_by_role("row", name="Aanmeldingen").first.inner_text().split("\t")[
        1:4
    ] == ["23", "10", "12"]
    repeats = referrals.get_by_role("row", name="Hermeldingen binnen 12 maanden")
    assert "< 5" in repeats.inner_text()
    assert page.get_by_role("link", name="Casussen", exact=True).count() == 0
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, SCREENSHOTS / f"figures-{width}.png", full_page=True)
        screenshot(page, SCREENSHOTS / f"figures-{width}-top.png")
        section = page.locator("section", has=page.locator("#section-escalations"))
        screenshot(section, SCREENSHOTS / f"figures-{width}-escalations.png")


def test_the_figures_page_has_no_serious_accessibility_violations(figures_page: Page) -> None:
    assert summary(blocking_violations(figures_page, accepted=set())) == []


def test_the_figures_page_fits_a_phone_without_sideways_scrolling(figures_page: Page) -> None:
    figures_page.set_viewport_size({"width": 320, "height": 640})
    assert figures_page.evaluate("document.documentElement.scrollWidth") <= 320
