"""A user's memberships are read once per request, and afresh after one changes."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.access import partner_organisation_ids
from mda.memberships import memberships_held, memberships_read_once
from mda.models import Membership, Role
from tests.conftest import Cast
from tests.scheduling.meetings_support import make_case


def _membership_reads(queries: CaptureQueriesContext) -> int:
    """Statements that read memberships themselves (not a subquery of another statement)."""
    return sum(q["sql"].startswith('SELECT "mda_membership"') for q in queries.captured_queries)


def test_inside_a_request_the_memberships_are_read_once(cast: Cast) -> None:
    police = cast.police.user
    with memberships_read_once(), CaptureQueriesContext(connection) as queries:
        first = memberships_held(police)
        again = memberships_held(police)
        organisations = partner_organisation_ids(police)

    assert _membership_reads(queries) == 1
    assert again is first
    assert organisations == {cast.orgs["police"].pk}


def test_a_membership_added_during_the_request_is_seen_at_once(cast: Cast) -> None:
    police = cast.police.user
    with memberships_read_once():
        assert partner_organisation_ids(police) == {cast.orgs["police"].pk}
        Membership.objects.create(
            user=police, organisation=cast.orgs["ggz"], role=Role.PROFESSIONAL
        )
        assert partner_organisation_ids(police) == {cast.orgs["police"].pk, cast.orgs["ggz"].pk}
        Membership.objects.filter(user=police, organisation=cast.orgs["ggz"]).get().delete()
        assert partner_organisation_ids(police) == {cast.orgs["police"].pk}


def test_outside_a_request_every_call_reads_the_database(cast: Cast) -> None:
    police = cast.police.user
    with CaptureQueriesContext(connection) as queries:
        memberships_held(police)
        memberships_held(police)

    assert _membership_reads(queries) == 2


def test_a_case_page_reads_the_memberships_once(cast: Cast, api: Any) -> None:
    case = make_case(cast, "MDA-2026-0801", {"police": 2})
    client = api("police")
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 200

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/cases/{case.pk}/")

    assert response.status_code == 200
    assert _membership_reads(queries) == 1  # the access policy and the audit event share it


def test_the_start_page_and_an_error_page_read_the_memberships_once(cast: Cast, web: Any) -> None:
    """The start page lists the memberships and the navigation asks for the roles; a 404 page
    is rendered by Django outside the view, with the same navigation."""
    client = web("coordinator")
    for path, status in (("/", 200), ("/no-such-page/", 404)):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)

        assert response.status_code == status, path
        assert _membership_reads(queries) == 1, path


def test_the_start_page_lists_the_memberships_by_organisation(cast: Cast, web: Any) -> None:
    Membership.objects.create(
        user=cast.police.user, organisation=cast.orgs["ggz"], role=Role.PROFESSIONAL
    )
    page = web("police").get("/").content.decode()

    assert page.index("GGZ Noord") < page.index("Politie Noord")


def _fields(instance: Any) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_the_memberships_come_as_the_orm_reads_them_with_organisation_and_region(
    cast: Cast,
) -> None:
    """``memberships_held`` runs the ORM's compiled statement itself: every field of the
    membership, its organisation and their region is what the ORM gives, and in its types."""
    police = cast.police.user
    Membership.objects.create(user=police, organisation=cast.orgs["south_zvh"], role=Role.CHAIR)
    expected = list(
        Membership.objects.filter(user=police).select_related("organisation__region").order_by("pk")
    )

    with CaptureQueriesContext(connection) as queries:
        held = memberships_held(police)
        regions = [m.organisation.region for m in held]

    assert len(queries) == 1
    assert [_fields(m) for m in held] == [_fields(m) for m in expected]
    assert [_fields(m.organisation) for m in held] == [_fields(m.organisation) for m in expected]
    assert [_fields(r) for r in regions] == [_fields(m.organisation.region) for m in expected]
    for mine, theirs in zip(held, expected, strict=True):
        for name, value in _fields(mine.organisation).items():
            assert type(value) is type(getattr(theirs.organisation, name)), name
        assert type(mine.created_at) is type(theirs.created_at)
    assert [r.name for r in regions] == ["Noord", "Zuid"]
