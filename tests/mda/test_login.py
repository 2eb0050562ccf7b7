"""Login with password and a second factor, lockout after failures, idle timeout, redirects."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from mda.models import Role, User
from tests.conftest import Cast, login_client
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.support.otp import code_for, secret_of, wrong_code_for

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

MONDAY_MORNING = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    """Time stands still unless a test moves it: codes and lockouts are deterministic."""
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        yield traveller


def english_client() -> Client:
    """A browser that chose English, so messages can be read whatever the translations say."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def password_step(
    client: Client, username: str, password: str = PASSWORD, next_url: str | None = None
) -> TestResponse:
    path = "/login/" if next_url is None else f"/login/?next={next_url}"
    return client.post(path, {"username": username, "password": password})


def code_step(client: Client, code: str) -> TestResponse:
    return client.post("/2fa/", {"token": code})


def wrong_codes(client: Client, device: TOTPDevice, times: int) -> TestResponse:
    """Type *times* wrong codes; the answer to the last one."""
    responses = [code_step(client, wrong_code_for(device)) for _ in range(times)]
    return responses[-1]


def lock_out(user: User, device: TOTPDevice) -> TestResponse:
    client = english_client()
    assert password_step(client, user.username).status_code == 302
    return wrong_codes(client, device, 5)


def failures_of(user: User) -> int:
    attempt = AccessAttempt.objects.filter(username=user.username).first()
    return 0 if attempt is None else attempt.failures_since_start


# --- the happy path -------------------------------------------------------------------------


def test_a_user_logs_in_with_password_then_code_and_reaches_the_start_page(
    cast: Cast, clock: time_machine.Coordinates
) -> None:
    police = cast.police
    client = english_client()

    response = password_step(client, police.user.username)
    assert response.status_code == 302
    assert response["Location"] == "/2fa/"

    page = client.get("/2fa/")
    assert page.status_code == 200
    assert "Enter your code" in page.content.decode()
    assert "<svg" not in page.content.decode()  # an enrolled user gets no new QR code

    response = code_step(client, code_for(police.device))
    assert response.status_code == 302
    assert response["Location"] == "/"

    start = client.get("/")
    assert start.status_code == 200
    assert police.user.first_name in start.content.decode()


def test_the_password_alone_does_not_open_the_start_page(cast: Cast) -> None:
    client = Client()
    password_step(client, cast.admin.user.username)

    for path in ("/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/2fa/", path


def test_a_wrong_password_is_refused_with_a_message(cast: Cast) -> None:
    client = english_client()

    response = password_step(client, cast.police.user.username, password="not the password")

    assert response.status_code == 200
    assert "Incorrect username or password." in response.content.decode()
    assert client.get("/")["Location"].startswith("/login/")


def test_an_unknown_username_gets_the_same_message_as_a_wrong_password(cast: Cast) -> None:
    wrong_password = password_step(english_client(), cast.police.user.username, "nope nope nope")
    unknown_user = password_step(english_client(), "nobody-here", "nope nope nope")

    assert unknown_user.status_code == wrong_password.status_code == 200
    assert "Incorrect username or password." in unknown_user.content.decode()


# --- wrong codes and the lockout ---------------------------------------------------------------


def test_a_wrong_code_is_refused_and_counted_as_a_failed_login(
    cast: Cast, clock: time_machine.Coordinates
) -> None:
    police = cast.police
    client = english_client()
    password_step(client, police.user.username)

    response = code_step(client, wrong_code_for(police.device))

    assert response.status_code == 200
    assert "That code is not correct." in response.content.decode()
    assert failures_of(police.user) == 1
    assert client.get("/")["Location"] == "/2fa/"


def test_a_wrong_code_five_times_locks_the_account_and_says_so(
    cast: Cast, clock: time_machine.Coordinates
) -> None:
    police = cast.police
    client = english_client()
    password_step(client, police.user.username)

    fourth = wrong_codes(client, police.device, 4)
    assert fourth.status_code == 200
    fifth = code_step(client, wrong_code_for(police.device))

    assert fifth.status_code == 429
    text = fifth.content.decode()
    assert "Account temporarily locked" in text
    assert "locked for 15 minutes" in text
    assert client.get("/")["Location"].startswith("/login/")  # the half-open session is gone


def test_a_locked_account_refuses_even_the_right_password_and_code(
    cast: Cast, clock: time_machine.Coordinates
) -> None:
    police = cast.police
    halfway = english_client()
    password_step(halfway, police.user.username)  # passed the password before the lockout
    assert lock_out(police.user, police.device).status_code == 429

    right_password = password_step(english_client(), police.user.username)
    right_code = code_step(halfway, code_for(police.device))

    assert right_password.status_code == 429
    assert "locked for 15 minutes" in right_password.content.decode()
    assert right_code.status_code == 429
    assert halfway.get("/").status_code == 302


def test_the_lock_lifts_after_fifteen_minutes(cast: Cast, clock: time_machine.Coordinates) -> None:
    police = cast.police
    waiting = english_client()
    password_step(waiting, police.user.username)
    lock_out(police.user, police.device)

    # Looking at the code page is no new attempt (a new attempt would restart the lockout).
    clock.shift(timedelta(minutes=14))
    assert waiting.get("/2fa/").status_code == 429

    clock.shift(timedelta(minutes=2))
    client = english_client()
    assert password_step(client, police.user.username)["Location"] == "/2fa/"
    assert code_step(client, code_for(police.device))["Location"] == "/"


def test_trying_again_during_the_lockout_does_not_extend_it(
    cast: Cast, clock: time_machine.Coordinates
) -> None:
    police = cast.police
    lock_out(police.user, police.device)
    clock.shift(timedelta(minutes=10))
    assert password_step(english_client(), police.user.username).status_code == 429
    clock.shift(timedelta(minutes=6))  # 16 minutes after the lock, 6 after the last try
    client = english_client()
    assert password_step(client, police.user.username)["Location"] == "/2fa/"
    assert code_step(client, code_for(police.device))["Location"] == "/"


def test_the_locked_page_states_the_configured_lockout_duration(
    cast: Cast, clock: time_machine.Coordinates, settings: Settings
) -> None:
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    police = cast.police

    by_code = lock_out(police.user, police.device)
    by_password = password_step(english_client(), police.user.username)

    for response in (by_code, by_password):
        assert response.status_code == 429
        assert "locked for 30 minutes" in response.content.decode()


def test_five_wrong_passwords_lock_the_account_too(cast: Cast) -> None:
    username = cast.police.user.username
    for _ in range(4):
        assert password_step(english_client(), username, "wrong password").status_code == 200

    fifth = password_step(english_client(), username, "wrong password")

    assert fifth.status_code == 429
    assert "Account temporarily locked" in fifth.content.decode()


def test_a_right_password_alone_does_not_reset_the_failure_count(
    cast: Cast, clock: time_machine.Coordinates
) -> None:
    police = cast.police
    for _ in range(4):
        password_step(english_client(), police.user.username, "wrong password")
    client = english_client()

    assert password_step(client, police.user.username)["Location"] == "/2fa/"
    assert failures_of(police.user) == 4
    assert code_step(client, wrong_code_for(police.device)).status_code == 429


def test_a_right_code_resets_the_failure_count(cast: Cast, clock: time_machine.Coordinates) -> None:
    police = cast.police
    client = english_client()
    password_step(client, police.user.username)
    wrong_codes(client, police.device, 4)

    assert code_step(client, code_for(police.device))["Location"] == "/"

    assert failures_of(police.user) == 0
    again = english_client()
    password_step(again, police.user.username)
    assert wrong_codes(again, police.device, 4).status_code == 200


# --- enrolment on first login ------------------------------------------------------------------


@pytest.fixture
def newcomer(cast: Cast) -> User:
    """A user with a role but no authenticator app yet."""
    user: User = UserFactory.create(username="newcomer", first_name="Nina")
    MembershipFactory(user=user, organisation=cast.orgs["ggz"], role=Role.PROFESSIONAL)
    return user


def test_first_login_shows_a_qr_code_to_enrol_an_authenticator_app(newcomer: User) -> None:
    client = english_client()
    assert password_step(client, newcomer.username)["Location"] == "/2fa/"

    page = client.get("/2fa/")

    text = page.content.decode()
    assert page.status_code == 200
    assert "Set up two-factor authentication" in text
    assert "<svg" in text
    device = TOTPDevice.objects.get(user=newcomer)
    assert not device.confirmed
    assert " ".join(secret_of(device)[i : i + 4] for i in range(0, 32, 4)) in text
    assert secret_of(device)[:4] in client.get("/2fa/").content.decode()  # same key on reload
    assert TOTPDevice.objects.filter(user=newcomer).count() == 1


def test_confirming_a_code_from_the_qr_confirms_the_device_and_logs_in(
    newcomer: User, clock: time_machine.Coordinates
) -> None:
    client = english_client()
    password_step(client, newcomer.username)
    client.get("/2fa/")
    device = TOTPDevice.objects.get(user=newcomer)

    response = code_step(client, code_for(device))

    assert response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200


def test_a_wrong_code_during_enrolment_leaves_the_device_unconfirmed(
    newcomer: User, clock: time_machine.Coordinates
) -> None:
    client = english_client()
    password_step(client, newcomer.username)
    client.get("/2fa/")
    device = TOTPDevice.objects.get(user=newcomer)

    response = code_step(client, wrong_code_for(device))

    assert response.status_code == 200
    assert "<svg" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert failures_of(newcomer) == 1


# --- sessions --------------------------------------------------------------------------------


def test_sessions_end_after_fifteen_idle_minutes_and_each_request_extends_them(
    cast: Cast, clock: time_machine.Coordinates
) -> None:
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    client = login_client(cast.coordinator)

    for _ in range(3):  # 42 minutes in all, never more than 14 idle
        clock.shift(timedelta(minutes=14))
        assert client.get("/").status_code == 200

    clock.shift(timedelta(minutes=16))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_argon2_is_the_first_password_hasher_outside_the_test_settings() -> None:
    from config.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


# --- redirects after login -------------------------------------------------------------------


@pytest.mark.parametrize(
    "evil", ["https://evil.example/", "//evil.example/", "https:evil.example", "\\\\evil.example"]
)
def test_a_next_parameter_pointing_elsewhere_is_ignored(
    cast: Cast, clock: time_machine.Coordinates, evil: str
) -> None:
    client = Client()
    login_form = client.get(f"/login/?next={evil}").content.decode().split('class="form"')[1]
    assert 'name="next"' in login_form
    assert "evil" not in login_form

    password_step(client, cast.police.user.username, next_url=evil)
    response = code_step(client, code_for(cast.police.device))

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_next_parameter_on_this_site_is_followed_after_the_second_factor(
    cast: Cast, clock: time_machine.Coordinates
) -> None:
    client = Client()
    password_step(client, cast.admin.user.username, next_url="/admin/")

    response = code_step(client, code_for(cast.admin.device))

    assert response["Location"] == "/admin/"
