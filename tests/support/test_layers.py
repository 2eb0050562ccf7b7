"""Layers (tests/support/layers.py) share what was built between tests, never what a test wrote.

These tests run in the order of this file and each looks at what the one before it left behind.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core import mail
from django.db.models import QuerySet

from mda.models import Organisation, Region
from tests.factories import OrganisationFactory, RegionFactory
from tests.support.layers import layer

BUILDS: Counter[str] = Counter()


@layer
def region() -> Region:
    BUILDS["region"] += 1
    mail.send_mail("Built", "The region layer was built.", None, ["builder@example.org"])
    return RegionFactory(name="Gelaagd", slug="gelaagd")


@layer
def organisation(region: Region) -> Organisation:
    BUILDS["organisation"] += 1
    region.name = "Gelaagd, met organisatie"  # as a fixture on top may change what it is given
    return OrganisationFactory(region=region, slug="gelaagd-org")


def test_a_test_may_write_and_change_the_objects_it_is_given(region: Region) -> None:
    assert [m.subject for m in mail.outbox] == ["Built"]
    region.name = "changed in memory"
    Region.objects.filter(pk=region.pk).update(name="changed in the database")
    OrganisationFactory(region=region, slug="written-by-a-test")
    mail.send_mail("Test", "Sent by the test.", None, ["test@example.org"])


def test_the_next_test_gets_the_layer_as_it_was_built(region: Region) -> None:
    assert BUILDS["region"] == 1
    assert region.name == "Gelaagd"
    assert Region.objects.get(pk=region.pk).name == "Gelaagd"
    assert not Organisation.objects.filter(slug="written-by-a-test").exists()
    assert [m.subject for m in mail.outbox] == ["Built"]  # as if this test had built it


def test_a_layer_on_top_shares_the_objects_of_the_one_below(
    region: Region, organisation: Organisation
) -> None:
    assert BUILDS == {"region": 1, "organisation": 1}
    assert organisation.region is region
    assert region.name == "Gelaagd, met organisatie"


def test_without_the_layer_on_top_its_changes_below_are_gone_too(region: Region) -> None:
    assert region.name == "Gelaagd"
    assert not Organisation.objects.filter(slug="gelaagd-org").exists()


@layer
def region_query(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(slug="gelaagd")  # not evaluated: copying must not run it


def test_a_layer_holding_a_query_not_yet_run_is_copied_without_running_it(
    region_query: QuerySet[Region], region: Region
) -> None:
    assert region_query._result_cache is None  # a pickled queryset would hold its rows
    assert list(region_query) == [region]


def test_each_test_gets_its_own_copy_of_the_layers(region: Region, region_query: Any) -> None:
    assert region_query._result_cache is None  # the test before evaluated its own copy
    assert region.name == "Gelaagd"
    region.name = "changed again in memory"


def test_and_the_next_one_a_fresh_copy_again(region: Region) -> None:
    assert region.name == "Gelaagd"


def test_a_test_that_uses_no_layer_sees_none_of_their_data(db: None) -> None:
    assert not Region.objects.filter(slug="gelaagd").exists()
    assert mail.outbox == []


def test_a_transactional_test_builds_its_own(transactional_db: None, region: Region) -> None:
    assert BUILDS["region"] == 2
    assert Region.objects.filter(pk=region.pk, name="Gelaagd").exists()
