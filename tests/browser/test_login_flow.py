"""Logging in through a real browser: password, code, lockout, language, enrolment."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from mda.demo import seed_core
from mda.models import Role, User
from mda.totp import current_code
from tests.browser.conftest import (
    CODE,
    PASSWORD_LABEL,
    SCREENSHOTS,
    USERNAME,
    html_lang,
    screenshot,
)
from tests.conftest import Cast
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.support.otp import wrong_code_for

pytestmark = pytest.mark.browser


def submit_password(page: Page, live_server: LiveServer, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label(USERNAME).fill(username)
    page.get_by_label(PASSWORD_LABEL).fill(password)
    page.get_by_label(PASSWORD_LABEL).press("Enter")
    page.wait_for_url("**/2fa/")


def submit_code(page: Page, code: str) -> int:
    """Type the code and send it; the HTTP status of the page that comes back."""
    page.get_by_label(CODE).fill(code)
    return answer_status(page, lambda: page.get_by_label(CODE).press("Enter"))


def answer_status(page: Page, action: Callable[[], None]) -> int:
    """Do *action* and wait for the page it leads to (which may have the same address)."""
    with page.expect_navigation() as navigation:
        action()
    response = navigation.value
    return 0 if response is None else response.status


def demo_secret(lines: list[str], username: str) -> str:
    line = next(line for line in lines if line.split()[0] == username)
    return line.rsplit("TOTP ", 1)[1].strip()


@pytest.mark.django_db(transaction=True)
def test_a_demo_user_logs_in_with_password_and_code_and_lands_on_the_dutch_start_page(
    page: Page, live_server: LiveServer
) -> None:
    lines: list[str] = []
    seed_core(lines)

    submit_password(page, live_server, "coordinator", str(settings.MDA_DEMO_PASSWORD))
    submit_code(page, current_code(demo_secret(lines, "coordinator")))

    page.wait_for_url(f"{live_server.url}/")
    assert html_lang(page) == "nl"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Carla")
    expect(page.get_by_role("navigation")).to_be_visible()
    screenshot(page, SCREENSHOTS / "start-coordinator.png", full_page=True)


def test_five_wrong_codes_show_the_locked_message(
    cast: Cast, page: Page, live_server: LiveServer
) -> None:
    police = cast.police
    submit_password(page, live_server, police.user.username, PASSWORD)
    for _ in range(4):
        assert submit_code(page, wrong_code_for(police.device)) == 200
        summary = page.locator("[data-error-summary]")  # the error summary takes the focus
        expect(summary).to_be_focused()
        expect(summary.get_by_role("link")).to_have_attribute("href", "#id_token")

    assert submit_code(page, wrong_code_for(police.device)) == 429

    # A browser that never chose English sees the service in Dutch.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Account tijdelijk geblokkeerd")
    expect(page.get_by_role("alert")).to_contain_text("15")


def test_the_language_switch_turns_the_pages_english_and_back(
    cast: Cast, page: Page, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/login/")
    assert html_lang(page) == "nl"
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")

    answer_status(page, page.get_by_role("button", name="English").click)

    assert html_lang(page) == "en"
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.goto(f"{live_server.url}/login/")  # the choice sticks
    assert html_lang(page) == "en"

    answer_status(page, page.get_by_role("button", name="Nederlands").click)
    assert html_lang(page) == "nl"


def test_first_login_shows_a_qr_code_and_the_code_from_it_logs_in(
    cast: Cast, page: Page, live_server: LiveServer
) -> None:
    newcomer: User = UserFactory.create(username="newcomer", first_name="Nina")
    MembershipFactory(user=newcomer, organisation=cast.orgs["ggz"], role=Role.PROFESSIONAL)

    submit_password(page, live_server, newcomer.username, PASSWORD)

    qr = page.locator("figure.qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 100  # big enough to scan
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    submit_code(page, current_code(secret))

    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nina")
    assert TOTPDevice.objects.get(user=newcomer).confirmed
