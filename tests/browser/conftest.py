"""Playwright (sync API) driving Debian's headless Chromium against pytest-django's live server.

Without Chromium (below) these tests skip, unless MDA_REQUIRE_SERVICES or MDA_REQUIRE_BROWSER is
set: then a missing browser fails the run. Playwright cannot download browsers here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.http import FileResponse, HttpRequest
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Locator, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

from mda.workdays import AMSTERDAM
from tests.conftest import REQUIRE_SERVICES, Persona, login_client

# Debian's headless shell (package chromium-headless-shell) is Chromium's engine without the
# desktop browser around it, what Playwright itself runs for headless tests: the browser tests take
# a fifth less time in it than in the full `chromium`, which serves where it is the one installed.
# MDA_CHROMIUM names another.
_CHROMIUMS = [Path("/usr/bin/chromium-headless-shell"), Path("/usr/bin/chromium")]
CHROMIUM = Path(
    os.environ.get("MDA_CHROMIUM")
    or next((str(path) for path in _CHROMIUMS if path.exists()), str(_CHROMIUMS[0]))
)
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
# Screenshots are for people to look at, and no test reads them: set MDA_SCREENSHOTS=1 to write
# them (MDA_SCREENSHOTS=1 ./scripts/test tests/browser). Off, a run saves about 10 s of Chromium
# drawing some 120 full pages.
TAKE_SCREENSHOTS = os.environ.get("MDA_SCREENSHOTS", "").lower() in {"1", "true", "yes"}
TIMEOUT_MS = 10_000


def screenshot(target: Page | Locator, path: Path, *, full_page: bool = False) -> None:
    """Saves what `target` shows to `path` (under var/screenshots/), when MDA_SCREENSHOTS is set."""
    if not TAKE_SCREENSHOTS:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(target, Page):
        target.screenshot(path=str(path), full_page=full_page)
    else:
        target.screenshot(path=str(path))


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = (
            f"{CHROMIUM} is not installed (apt-get install chromium-headless-shell)"
            " - browser tests skipped"
        )
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


# axe-core (tests/browser/test_accessibility.py) as the live server serves it to the pages it
# checks, beside the static files and as cacheable: only the browser tests' server has it.
# Vendored (vendor/axe-core/README.md): axe-playwright-python bundles 4.12, in which a page's
# check took 100 ms; in 4.14, 71 ms (color-contrast, nearly all of it, got faster).
AXE_PATH = f"{settings.STATIC_URL}tests/axe.min.js"
AXE_FILE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"


class CachedStaticFilesHandler(StaticFilesHandler):
    """The live server's static files, cacheable as production serves them (WhiteNoise gives the
    hashed files a year's max-age, immutable): a browser context fetches each once and keeps it;
    they cannot change during a run. Served as Django serves them here (Last-Modified only), every
    page load asked again for all six: the moved clock puts the server's Date header (March) before
    the files' Last-Modified, so Chromium's heuristic freshness never held. A page load took 160 ms
    instead of 100-120, the browser tests 71-73 s instead of 67-69 (one process).
    And axe-core at AXE_PATH, the same way."""

    def serve(self, request: HttpRequest) -> FileResponse:
        if request.path == AXE_PATH:
            response = FileResponse(AXE_FILE.open("rb"), content_type="text/javascript")
        else:
            response = super().serve(request)
        response["Cache-Control"] = "max-age=31536000, immutable"
        return response


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """pytest-django's live server (same address rules), serving static files as above."""
    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    server.thread.static_handler = CachedStaticFilesHandler
    server.start()
    yield server
    server.stop()


# Every browser test starts at this moment, whatever the real date and hour: a Monday morning in
# Amsterdam, outside holidays and DST changes. Server and browser run from it alike.
BROWSER_NOW = datetime(2026, 3, 16, 8, 0, tzinfo=AMSTERDAM)


@pytest.fixture(autouse=True)
def clock(time_machine: Any) -> datetime:
    """The live server is a thread of this process, so time-machine moves its clock too; it ticks
    on from BROWSER_NOW (sessions and lockouts see time pass as in life). Browser contexts get the
    same time through ``new_context``."""
    time_machine.move_to(BROWSER_NOW, tick=True)
    return BROWSER_NOW


def new_context(browser: Browser) -> BrowserContext:
    """A fresh browser profile whose user prefers English (the service must still be Dutch), with
    the page's clock (JavaScript's Date, timers) set to the server's moved one."""
    ctx = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.clock.install(time=datetime.now(UTC))
    return ctx


@pytest.fixture
def context(browser: Browser, clock: datetime) -> Iterator[BrowserContext]:
    ctx = new_context(browser)
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
