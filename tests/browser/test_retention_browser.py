"""Retention, subject access and the disclosure log in a real browser, at desktop and phone width.

The world is built by time travel (a declined referral destroyed in February 2026 under a region
policy of one month; a second declined referral with a legal hold; an open case with two
subject-access requests, one released) and then browsed on BROWSER_NOW (16 March 2026). Every
page: Dutch, axe-core without serious or critical violations at 1366 and 390 pixels, no sideways
scrolling at 390, and with MDA_SCREENSHOTS=1 a screenshot in var/screenshots/retention/ to look
at. A page is loaded once and then narrowed (the layout follows the width in CSS alone)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser
from pytest_django.live_server_helper import LiveServer

from casework import services
from casework.access import access_case, access_subject_access_review
from casework.models import RegionPolicy
from casework.services import retention, subject_access
from mda.workdays import AMSTERDAM
from tests.browser.conftest import BROWSER_NOW, log_in_as, new_context, screenshot
from tests.browser.test_accessibility import WIDTHS, look_at_widths
from tests.casework.conftest import IDENTITY_BSN, grant, refer
from tests.casework.lifecycle_support import move
from tests.casework.retention_support import coordinator_view
from tests.conftest import Cast

pytestmark = pytest.mark.browser
SHOTS = settings.VAR_DIR / "screenshots" / "retention"


def _at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, tzinfo=AMSTERDAM)


NOTE_KEPT = "Moeder wil het contactverbod laten verlengen."
NOTE_WITHHELD = "De buurvrouw hoorde opnieuw geschreeuw in de nacht."
AGREEMENT = "Veiligheidsplan met moeder opstellen"


def _content(cast: Cast, case: Any) -> None:
    """Notes of the coordinator (one to withhold alone), of the police, and an agreement."""
    for persona, body, visibility in (
        ("coordinator", NOTE_KEPT, "participants"),
        ("coordinator", NOTE_WITHHELD, "coordinators"),
        ("police", "Aangifte opgenomen; onderzoek loopt.", None),
    ):
        user = cast.personas[persona].user
        services.note_add(
            actor=user, case=access_case(user, case.pk), body=body, visibility=visibility
        )
    coordinator = cast.coordinator.user
    services.agreement_create(
        actor=coordinator,
        case=access_case(coordinator, case.pk),
        description=AGREEMENT,
        owner_organisation=cast.orgs["ggz"],
        due_date=date(2026, 4, 7),
    )


def _world(cast: Cast, time_machine: Any) -> list[tuple[str, str, str]]:
    RegionPolicy.objects.create(
        region=cast.north, retention_short_months=1, retention_warning_days=1
    )
    time_machine.move_to(_at(1, 5), tick=False)
    move(cast, refer(cast), "decline", reason="Geen MDA++: reguliere hulp volstaat.")
    for day in (4, 5):
        time_machine.move_to(_at(2, day), tick=False)
        retention.retention_sweep()
    time_machine.move_to(_at(3, 2), tick=False)
    other = [services.MemberInput(role="victim", label="moeder")]  # not the person asking
    declined = move(
        cast, refer(cast, members=other), "decline", reason="Geen MDA++: reguliere hulp volstaat."
    )
    hold = retention.legal_hold_place(
        actor=cast.coordinator.user,
        case=coordinator_view(cast, declined),
        reason="Het Openbaar Ministerie onderzoekt de zaak nog.",
        until=date(2026, 9, 30),
    )
    case = refer(cast)
    for org, level in (("police", 2), ("ggz", 1)):
        grant(cast, case, org, level)
    _content(cast, case)
    time_machine.move_to(_at(3, 10), tick=False)
    released = subject_access.subject_access_prepare(actor=cast.privacy.user, bsn=IDENTITY_BSN)
    review = subject_access.subject_access_prepare(actor=cast.privacy.user, bsn=IDENTITY_BSN)
    for request in (released, review):
        item = access_subject_access_review(cast.coordinator.user, request.items.get().pk)
        subject_access.withholding_set(
            actor=cast.coordinator.user,
            item=item,
            organisation=cast.orgs["police"],
            ground="criminal_investigation",
            explanation="De politie vraagt de inzage in het onderzoek uit te stellen.",
        )
    item = access_subject_access_review(cast.coordinator.user, released.items.get().pk)
    subject_access.withholding_set(
        actor=cast.coordinator.user,
        item=item,
        organisation=None,
        ground="safety_of_others",
        explanation="De buurvrouw meldde dit; zij mag niet herkenbaar worden.",
        entry_kind="note",
        entry_id=case.notes.get(author=cast.coordinator.user, visibility="coordinators").pk,
    )
    subject_access.subject_access_confirm(actor=cast.coordinator.user, item=item)
    subject_access.subject_access_release(actor=cast.privacy.user, request=released)
    time_machine.move_to(BROWSER_NOW, tick=True)
    review_item = review.items.get()
    police = cast.orgs["police"].uuid
    return [
        ("case-declined", "coordinator", f"/cases/{declined.pk}/"),
        ("retention", "coordinator", f"/cases/{declined.pk}/retention/"),
        ("retention-police", "social", f"/cases/{declined.pk}/retention/"),
        ("hold-end", "coordinator", f"/cases/{declined.pk}/retention/holds/{hold.pk}/release/"),
        ("destructions", "privacy", "/privacy/destructions/"),
        ("access-logs", "privacy", "/privacy/cases/"),
        ("subject-access", "privacy", "/privacy/subject-access/"),
        ("request", "privacy", f"/privacy/subject-access/{review.pk}/"),
        ("release", "privacy", f"/privacy/subject-access/{review.pk}/release/"),
        ("report", "privacy", f"/privacy/subject-access/{released.pk}/report/"),
        ("reviews", "coordinator", "/subject-access/reviews/"),
        ("review", "coordinator", f"/subject-access/reviews/{review_item.pk}/"),
        ("disclosures", "privacy", f"/privacy/cases/{case.pk}/disclosures/"),
        ("partners", "privacy", "/privacy/partners/"),
        ("partner", "privacy", f"/privacy/partners/{police}/disclosures/"),
    ]


def test_every_retention_and_privacy_page_is_dutch_accessible_and_fits_a_phone(
    cast: Cast, browser: Browser, live_server: LiveServer, time_machine: Any
) -> None:
    pages = _world(cast, time_machine)
    problems: list[str] = []
    contexts: dict[str, Any] = {}
    texts: dict[str, str] = {}
    tabs: dict[str, Any] = {}
    for name, persona, path in pages:
        if persona not in contexts:
            contexts[persona] = new_context(browser)
            log_in_as(contexts[persona], live_server, cast.personas[persona])
            tabs[persona] = contexts[persona].new_page()
        page = tabs[persona]
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, (name, response.status)
        if page.locator("html").get_attribute("lang") != "nl":
            problems.append(f"{name}: not Dutch")
        look_at_widths(page, name, SHOTS, problems)
        texts[name] = page.inner_text("main")  # as a phone shows it
    review = next(path for name, _p, path in pages if name == "review")
    withheld_alone = _withhold_one_entry(contexts["coordinator"], live_server, review)
    for ctx in contexts.values():
        ctx.close()
    assert problems == []
    assert NOTE_KEPT in texts["report"] and AGREEMENT in texts["report"]
    assert NOTE_WITHHELD not in texts["report"] and "onderzoek loopt" not in texts["report"]
    assert "achtergehouden" not in texts["report"].lower()
    assert NOTE_WITHHELD in texts["review"] and "Dit onderdeel achterhouden" in texts["review"]
    assert "onderzoek loopt" not in texts["review"]  # the police's own domain
    assert NOTE_KEPT not in texts["request"]  # the privacy officer reads no content
    assert withheld_alone
    assert "uitgesteld door een bewaarplicht tot 30 sep. 2026" in texts["case-declined"]
    assert "MDA-2026-0001" in texts["destructions"]
    assert "Johanna" in texts["report"] and "Politie Noord" not in texts["report"]
    assert "Johanna" not in texts["request"] and "Politie Noord" in texts["review"]


def _withhold_one_entry(context: Any, live_server: LiveServer, path: str) -> bool:
    """On the review page the coordinator withholds the first note alone: the link chooses it
    in the form, the ground and explanation are filled in, and the entry shows as withheld."""
    page = context.new_page()
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}{path}")
    entry = page.locator("li.entry", has_text=NOTE_KEPT)
    entry.get_by_role("link", name="Dit onderdeel achterhouden").click()
    form = page.locator("form", has=page.locator("select[name=ground]"))
    assert form.locator("select[name=entry]").input_value().startswith("note:")
    form.locator("select[name=ground]").select_option("safety_of_others")
    form.locator("textarea[name=explanation]").fill("Moeder vroeg dit niet te delen met vader.")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    screenshot(page, SHOTS / "review-entry-withheld-1366.png", full_page=True)
    withheld = page.locator("li.entry--withheld", has_text=NOTE_KEPT).count() == 1
    page.close()
    return withheld
