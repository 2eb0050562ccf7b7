"""``one_or_none`` reads a row by a unique key without the model's default order; ``__in_array``
finds what ``__in`` finds, with one array parameter on PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mda.models import Notification, Organisation
from mda.queries import one_or_none
from tests.conftest import Cast


@pytest.mark.django_db
def test_one_or_none_reads_the_row_without_an_order_or_the_join_the_order_needs(
    cast: Cast,
) -> None:
    police = cast.orgs["police"]
    found = Organisation.objects.select_related("region").filter(pk=police.pk)

    with CaptureQueriesContext(connection) as queries:
        row = one_or_none(found)
        missing = one_or_none(Organisation.objects.filter(pk=-1))
        first = found.first()

    assert row == police and row is not None and row.region == police.region
    assert missing is None
    ours, _missing, theirs = (query["sql"] for query in queries.captured_queries)
    assert "ORDER BY" not in ours and "LIMIT 1" in ours
    # Organisation orders by its region's name, then its own: .first() orders by both.
    assert first == police and "ORDER BY" in theirs


@pytest.mark.django_db
def test_in_array_finds_what_in_finds_with_one_parameter_on_postgresql(cast: Cast) -> None:
    police, ggz = cast.orgs["police"], cast.orgs["ggz"]
    user = cast.personas["coordinator"].user
    notes = [
        Notification.objects.create(recipient=user, kind="reminder", subject=f"{n}", body="")
        for n in range(3)
    ]
    keys = [police.pk, ggz.pk, -1]
    # UUIDs as the broker hands them to a worker: strings; the third is not there.
    uuids = [str(notes[0].uuid), str(notes[2].uuid), str(uuid.uuid4())]

    with CaptureQueriesContext(connection) as queries:
        by_key = set(Organisation.objects.filter(pk__in_array=keys))
        by_uuid = set(Notification.objects.filter(uuid__in_array=uuids))
        none = list(Organisation.objects.filter(pk__in_array=[]))

    assert by_key == set(Organisation.objects.filter(pk__in=keys)) == {police, ggz}
    assert by_uuid == set(Notification.objects.filter(uuid__in=uuids)) == {notes[0], notes[2]}
    assert none == []
    for query in queries.captured_queries[:2]:
        if connection.vendor == "postgresql":
            assert "= ANY(" in query["sql"] and " IN (" not in query["sql"]
        else:
            assert " IN (" in query["sql"]
