"""In a real browser: the printable meeting pack of a police officer (its one slot, in Dutch),
printed by Chromium itself: every printed page carries the confidentiality marking with the
reader's name; no site navigation goes on paper. Screenshots at 1366 and 390 px."""

from __future__ import annotations

import io

import pypdf
import pytest
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from scheduling.models import ItemMinutes
from scheduling.selectors.packs import reader_name
from tests.browser.conftest import SCREENSHOTS, log_in_as, screenshot
from tests.browser.test_accessibility import blocking_violations, summary
from tests.conftest import Cast
from tests.scheduling import meetings_support, packs_support
from tests.scheduling.meetings_support import REFERENCES, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

draft_agenda = meetings_support.draft_agenda
pack_world = packs_support.pack_world

LONG_DECISIONS = "\n".join(f"Besluit {n}: één gezamenlijk veiligheidsplan" for n in range(70))


@pytest.fixture
def pack_page(
    pack_world: World, cast: Cast, context: BrowserContext, page: Page, live_server: LiveServer
) -> Page:
    world = pack_world
    ItemMinutes.objects.filter(item__meeting=world.meeting, item__case=world.cases["A"]).delete()
    packs_support.make_minutes(
        world, world.meeting, world.cases["A"], "A", decisions=LONG_DECISIONS
    )
    log_in_as(context, live_server, cast.police)
    page.goto(f"{live_server.url}/meetings/{world.next_meeting.pk}/pack/")
    return page


def test_the_police_pack_shows_its_one_slot_in_dutch_and_prints_the_marking_on_every_page(
    pack_page: Page, cast: Cast
) -> None:
    page = pack_page
    expect(page.locator("section.pack-slot")).to_have_count(1)
    expect(page.locator("section.pack-slot")).to_have_attribute("data-reference", REFERENCES["A"])
    expect(page.locator(".print-marking")).to_contain_text("Vertrouwelijk")
    expect(page.locator("[data-print]")).to_be_visible()  # the script shows the print button
    assert REFERENCES["B"] not in page.content()
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, SCREENSHOTS / f"pack-{width}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.emulate_media(media="print")
    screenshot(page, SCREENSHOTS / "pack-print-media.png", full_page=True)
    printed = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))

    texts = [p.extract_text() for p in printed.pages]
    assert len(texts) >= 2
    name = reader_name(cast.police.user)
    for text in texts:
        assert "Vertrouwelijk" in text
        assert name in text
    whole = "\n".join(texts)
    assert "Besluit 69" in whole
    assert "Uitloggen" not in whole  # the site's header stays off paper
    assert "Downloaden als pdf" not in whole


def test_the_pack_page_has_no_serious_accessibility_violations(pack_page: Page) -> None:
    assert summary(blocking_violations(pack_page, accepted=set())) == []


def test_the_coordinator_reads_each_organisation_s_answers_and_prints_the_minutes(
    pack_world: World, cast: Cast, context: BrowserContext, page: Page, live_server: LiveServer
) -> None:
    world = pack_world
    log_in_as(context, live_server, cast.coordinator)
    page.goto(f"{live_server.url}/meetings/{world.next_meeting.pk}/invitations/")

    expect(page.locator("section.invitation-org")).to_have_count(4)
    expect(page.locator("section.invitation-org").first).to_contain_text("GGZ Noord")
    assert summary(blocking_violations(page, accepted=set())) == []
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, SCREENSHOTS / f"invitations-{width}.png", full_page=True)

    page.goto(f"{live_server.url}/meetings/{world.meeting.pk}/minutes/print/")
    expect(page.locator("section.pack-slot")).to_have_count(3)
    expect(page.locator(".print-marking")).to_contain_text("Vertrouwelijk")
    assert summary(blocking_violations(page, accepted=set())) == []
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, SCREENSHOTS / f"minutes-print-{width}.png", full_page=True)
