"""Dutch first for every visitor, English only when chosen with the language switch."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import Cast, login_client

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


def lang_of(response: TestResponse) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert match, "every page declares its language on <html>"
    return match.group(1)


def login_heading(response: TestResponse) -> str:
    match = re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S)
    assert match
    return match.group(1).strip()


def choose(client: Client, language: str, next_url: str = "/login/") -> TestResponse:
    return client.post("/i18n/setlang/", {"language": language, "next": next_url})


@pytest.mark.django_db
def test_pages_are_dutch_even_when_the_browser_asks_for_english() -> None:
    response = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert lang_of(response) == "nl"
    assert response["Content-Language"] == "nl"
    assert login_heading(response) == "Inloggen"


@pytest.mark.django_db
def test_the_language_switch_makes_pages_english() -> None:
    client = Client()

    response = choose(client, "en")

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/login/")
    assert lang_of(page) == "en"
    assert page["Content-Language"] == "en"
    assert login_heading(page) == "Log in"


@pytest.mark.django_db
def test_switching_back_makes_pages_dutch_again() -> None:
    client = Client()
    choose(client, "en")

    choose(client, "nl")

    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert lang_of(page) == "nl"
    assert login_heading(page) == "Inloggen"


@pytest.mark.django_db
def test_an_unsupported_language_in_the_cookie_falls_back_to_dutch() -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    page = client.get("/login/")

    assert lang_of(page) == "nl"
    assert page["Content-Language"] == "nl"


@pytest.mark.django_db
def test_the_switch_offers_the_other_language_in_its_own_language() -> None:
    dutch = Client().get("/login/").content.decode()
    assert 'value="en" lang="en"' in dutch
    assert 'value="nl"' not in dutch


def test_the_start_page_follows_the_choice_of_a_logged_in_user(cast: Cast) -> None:
    client = login_client(cast.coordinator, language=None)
    assert lang_of(client.get("/", HTTP_ACCEPT_LANGUAGE="en")) == "nl"

    choose(client, "en", next_url="/")

    page = client.get("/")
    assert page.status_code == 200
    assert lang_of(page) == "en"
    assert page["Content-Language"] == "en"


def test_the_api_answers_in_the_language_its_client_asks_for(cast: Cast) -> None:
    from tests.conftest import api_client

    client = api_client(cast.police)
    dutch = client.get(
        "/api/v1/cases/00000000-0000-0000-0000-000000000000/", HTTP_ACCEPT_LANGUAGE="nl"
    )
    english = client.get("/api/v1/cases/00000000-0000-0000-0000-000000000000/")
    assert dutch.status_code == english.status_code == 404
    assert dutch["Content-Language"] == "nl" and english["Content-Language"] == "en"
    assert dutch.json()["code"] == english.json()["code"] == "not_found"
    assert dutch.json()["message"] != english.json()["message"]
