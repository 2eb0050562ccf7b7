"""The API shell: authentication, the error shape, scoping, the schema and the token commands."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from mda.models import ApiToken
from mda.services import api_token_issue, api_token_revoke
from tests.conftest import Cast, login_client, require_postgresql
from tests.factories import OrganisationFactory

ApiFactory = Callable[[str], APIClient]


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """An error the way every API client sees it: JSON with a stable code and a message."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body.get("code"), str) and body["code"]
    assert isinstance(body.get("message"), str) and body["message"]
    assert "Traceback" not in response.content.decode()
    if code is not None:
        assert body["code"] == code
    return body


def names(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


# --- authentication --------------------------------------------------------------------------


def test_a_bearer_token_authenticates_its_user(cast: Cast, api: ApiFactory) -> None:
    response = api("police").get("/api/v1/me/")

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "police"
    assert body["uuid"] == str(cast.police.user.uuid)
    assert [m["organisation"]["name"] for m in body["memberships"]] == ["Politie Noord"]


def test_a_token_s_last_use_is_recorded_at_most_once_a_minute(
    cast: Cast, api: ApiFactory, time_machine: Any
) -> None:
    time_machine.move_to(datetime(2026, 12, 3, 9, 0, tzinfo=UTC), tick=False)
    client = api("police")
    token = ApiToken.objects.get(user=cast.police.user)

    def used_at(at: datetime) -> datetime | None:
        time_machine.move_to(at, tick=False)
        assert client.get("/api/v1/me/").status_code == 200
        token.refresh_from_db()
        return token.last_used_at

    first = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert used_at(first) == first
    assert used_at(first + timedelta(seconds=59)) == first
    assert used_at(first + timedelta(seconds=61)) == first + timedelta(seconds=61)


@pytest.mark.django_db(transaction=True)
def test_a_request_does_not_wait_while_another_records_the_token_s_use(cast: Cast) -> None:
    """An integration's parallel requests with one token: while one holds the token's row (it
    records the last use, until its transaction ends), the others authenticate without waiting."""
    require_postgresql("SQLite has no row locks")
    token, raw = api_token_issue(user=cast.police.user, name="parallel")
    answered: list[int] = []

    def request_meanwhile() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
            answered.append(bearer(raw).get("/api/v1/me/").status_code)
        finally:
            connections.close_all()

    with transaction.atomic():
        ApiToken.objects.select_for_update().filter(pk=token.pk).values_list("pk").get()
        thread = threading.Thread(target=request_meanwhile)
        thread.start()
        thread.join(timeout=30)

    assert answered == [200]
    token.refresh_from_db()
    assert token.last_used_at is None  # left to the request that holds the row


def test_a_revoked_token_is_refused_with_a_json_error(cast: Cast, api: ApiFactory) -> None:
    client = api("police")
    api_token_revoke(token=ApiToken.objects.get(user=cast.police.user))

    response = client.get("/api/v1/me/")

    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"


def test_an_unknown_token_is_refused_with_a_json_error(cast: Cast) -> None:
    assert_error(bearer("mda_not-a-real-token").get("/api/v1/me/"), 401, "not_authenticated")


def test_the_token_of_a_deactivated_user_is_refused(cast: Cast, api: ApiFactory) -> None:
    client = api("police")
    cast.police.user.is_active = False
    cast.police.user.save(update_fields=["is_active"])

    assert_error(client.get("/api/v1/me/"), 401, "not_authenticated")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/organisations/"])
def test_no_credentials_get_a_json_error(path: str) -> None:
    assert_error(APIClient().get(path), 401, "not_authenticated")


def test_a_session_that_skipped_the_second_factor_is_not_accepted(cast: Cast) -> None:
    half = Client()
    half.force_login(cast.police.user)  # password only

    assert_error(half.get("/api/v1/me/"), 401, "not_authenticated")


def test_a_session_that_passed_the_second_factor_is_accepted(cast: Cast) -> None:
    response = login_client(cast.police).get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json()["username"] == "police"


# --- the partner directory is scoped to the user's region ---------------------------------------


def test_organisations_lists_only_the_users_own_region(cast: Cast, api: ApiFactory) -> None:
    north = {"ZVH Noord", "Politie Noord", "GGZ Noord", "Lokaal team Noord", "Veilig Thuis Noord"}

    assert names(api("police").get("/api/v1/organisations/")) == north
    assert names(api("outsider").get("/api/v1/organisations/")) == {"ZVH Zuid", "Politie Zuid"}


def test_organisations_can_be_read_one_by_one_in_the_own_region(
    cast: Cast, api: ApiFactory
) -> None:
    ggz = cast.orgs["ggz"]

    response = api("police").get(f"/api/v1/organisations/{ggz.uuid}/")

    assert response.status_code == 200
    assert response.json() == {
        "uuid": str(ggz.uuid),
        "name": "GGZ Noord",
        "slug": "ggz",
        "region": "noord",
        "domain": ggz.domain,
        "kind": ggz.kind,
    }


def test_an_organisation_of_another_region_is_not_found(cast: Cast, api: ApiFactory) -> None:
    south_police = cast.orgs["south_police"]

    response = api("police").get(f"/api/v1/organisations/{south_police.uuid}/")

    assert_error(response, 404, "not_found")


def test_an_unknown_api_address_answers_json_404(cast: Cast, api: ApiFactory) -> None:
    assert_error(api("police").get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_error(APIClient().get("/api/v2/organisations/"), 404, "not_found")


def test_writing_to_a_read_only_endpoint_answers_json_405(cast: Cast, api: ApiFactory) -> None:
    response = api("coordinator").post("/api/v1/organisations/", {"name": "X"}, format="json")

    assert_error(response, 405, "method_not_allowed")


def test_the_organisation_list_does_not_query_per_organisation(cast: Cast, api: ApiFactory) -> None:
    client = api("coordinator")
    client.get("/api/v1/organisations/")  # first use of the token records last_used_at

    with CaptureQueriesContext(connection) as few:
        assert len(names(client.get("/api/v1/organisations/"))) == 5
    OrganisationFactory.create_batch(25, region=cast.north)
    with CaptureQueriesContext(connection) as many:
        assert len(names(client.get("/api/v1/organisations/"))) == 30

    assert len(many.captured_queries) == len(few.captured_queries)


# --- the OpenAPI schema ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_openapi_schema_is_served_and_valid() -> None:
    response = Client().get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)
    assert {"/api/v1/me/", "/api/v1/organisations/", "/api/v1/organisations/{uuid}/"} <= set(
        schema["paths"]
    )
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


@pytest.mark.django_db
def test_the_api_docs_page_is_served() -> None:
    response = Client().get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


# --- the token commands ----------------------------------------------------------------------


def issue_token(username: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_token", username, "--name", "koppeling", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert raw and raw[:12] in err.getvalue()  # the prefix is named, the secret only on stdout
    return raw


def revoke(*args: str) -> str:
    out = io.StringIO()
    call_command("revoke_token", *args, stdout=out)
    return out.getvalue()


def test_issue_token_prints_a_token_that_works(cast: Cast) -> None:
    raw = issue_token("police")

    response = bearer(raw).get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json()["username"] == "police"
    assert ApiToken.objects.get(prefix=raw[:12]).name == "koppeling"


def test_revoke_token_by_prefix_stops_the_token(cast: Cast) -> None:
    raw = issue_token("police")
    other = issue_token("police")

    assert "Revoked 1 token(s)." in revoke(raw[:12])

    assert_error(bearer(raw).get("/api/v1/me/"), 401, "not_authenticated")
    assert bearer(other).get("/api/v1/me/").status_code == 200


def test_revoke_token_all_of_a_user_stops_every_token_of_that_user(
    cast: Cast, api: ApiFactory
) -> None:
    tokens = [issue_token("police"), issue_token("police")]
    care = api("care")

    assert "Revoked 2 token(s)." in revoke("--all-of", "police")

    for raw in tokens:
        assert_error(bearer(raw).get("/api/v1/me/"), 401)
    assert care.get("/api/v1/me/").status_code == 200


def test_issue_token_refuses_an_unknown_user(cast: Cast) -> None:
    with pytest.raises(CommandError, match="No active user"):
        call_command("issue_token", "nobody", stdout=io.StringIO(), stderr=io.StringIO())
