"""Playwright (sync API) driving Debian's headless Chromium against pytest-django's live server.

Without /usr/bin/chromium these tests skip, unless MDA_REQUIRE_SERVICES or MDA_REQUIRE_BROWSER is
set: then a missing browser fails the run. Playwright cannot download browsers here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

from tests.conftest import REQUIRE_SERVICES, Persona, login_client

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # Without these Chromium keeps calling home, which is slow and noisy on a closed network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REQUIRE_BROWSER = REQUIRE_SERVICES or os.environ.get("MDA_REQUIRE_BROWSER", "").lower() in {
    "1",
    "true",
    "yes",
}
SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium) - browser tests skipped"
        if REQUIRE_BROWSER:
            pytest.fail(reason.replace("skipped", "required by MDA_REQUIRE_*"))
        pytest.skip(reason)
    # Playwright's sync API keeps an event loop running in this thread; Django would then refuse
    # ORM calls from the tests themselves. Only while the browser package runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile whose user prefers English: the service must still be Dutch."""
    ctx = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext, live_server: LiveServer) -> Page:
    return context.new_page()


def use_session(context: BrowserContext, live_server: LiveServer, client: Client) -> None:
    """Hand a Django test client's session to the browser (skips typing the login)."""
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def log_in_as(context: BrowserContext, live_server: LiveServer, persona: Persona) -> None:
    """Both factors done, as after a real login."""
    use_session(context, live_server, login_client(persona))


def html_lang(page: Page) -> str:
    return page.locator("html").get_attribute("lang") or ""


# Labels match in Dutch and English, so translating them does not break the tests.
USERNAME = re.compile(r"^\s*(Gebruikersnaam|Username)")
PASSWORD_LABEL = re.compile(r"^\s*(Wachtwoord|Password)")
CODE = re.compile(r"code", re.IGNORECASE)
