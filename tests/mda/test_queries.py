"""``one_or_none`` reads a row by a unique key without the model's default order."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mda.models import Organisation
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
