"""``full_clean`` on the service's models (mda.models.base): no look-up whose answer is known, and
every other rule as Django checks it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mda.models import Organisation, Region
from tests.conftest import Cast


def _queries_of(check: Any) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        check()
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.django_db
def test_a_new_row_of_read_rows_with_a_made_uuid_is_checked_without_a_look_up_per_key(
    cast: Cast,
) -> None:
    region = Region.objects.get(pk=cast.north.pk)  # read from the database
    organisation = Organisation(region=region, name="Wijkteam Oost", slug="wijkteam-oost")
    organisation.domain = cast.orgs["local_team"].domain

    queries = _queries_of(organisation.full_clean)

    # Left: the unique constraints (region + slug, region + name), a rule of their own.
    assert len(queries) == 2, queries
    assert not [q for q in queries if '"mda_region"' in q.split("WHERE")[0]], queries


@pytest.mark.django_db
def test_a_key_given_as_a_bare_id_is_still_looked_up_and_refused_when_missing(
    cast: Cast,
) -> None:
    organisation = Organisation(
        region_id=cast.north.pk + 10_000, name="Nergens", slug="nergens", domain="social"
    )
    with pytest.raises(ValidationError) as refused:
        organisation.full_clean()
    assert "region" in refused.value.message_dict


@pytest.mark.django_db
def test_an_unsaved_row_as_a_key_is_refused_as_before(cast: Cast) -> None:
    organisation = Organisation(
        region=Region(name="Nog niet bewaard", slug="nog-niet"),
        name="Nergens",
        slug="nergens",
        domain="social",
    )
    with pytest.raises(ValidationError) as refused:
        organisation.full_clean()
    assert "region" in refused.value.message_dict


@pytest.mark.django_db
def test_unique_fields_and_constraints_are_still_checked(cast: Cast) -> None:
    taken = cast.orgs["police"]
    twin = Organisation(region=cast.north, name=taken.name, slug="andere-slug", domain="justice")
    with pytest.raises(ValidationError) as refused:
        twin.full_clean()
    assert refused.value.messages, refused

    changed = Organisation.objects.get(pk=cast.orgs["ggz"].pk)  # a row read, then changed
    changed.name = taken.name
    with pytest.raises(ValidationError):
        changed.full_clean()


@pytest.mark.django_db
def test_a_key_changed_away_from_the_row_it_held_is_looked_up(cast: Cast) -> None:
    organisation = Organisation(region=cast.north, name="Elders", slug="elders", domain="care")
    organisation.region_id = cast.north.pk + 10_000  # no longer the row read
    with pytest.raises(ValidationError) as refused:
        organisation.full_clean()
    assert "region" in refused.value.message_dict
