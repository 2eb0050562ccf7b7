"""The test run's guard against row locks that spread over a join (tests/support/locks.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import QuerySet

from casework.models import Case, Note
from tests.support.locks import JoinedRowLock, joined_tables

# Compiling a locking statement asks the connection whether it is in a transaction.
pytestmark = pytest.mark.django_db


def _sql(queryset: QuerySet[Any]) -> str:
    return str(queryset.query)


def test_a_lock_over_a_join_is_refused_and_names_the_joined_tables() -> None:
    with pytest.raises(JoinedRowLock, match="mda_region, mda_datakey"):
        _sql(Case.objects.select_for_update().select_related("region", "data_key"))


@pytest.mark.parametrize(
    "queryset",
    [
        pytest.param(lambda: Case.objects.select_for_update(), id="one table"),
        pytest.param(
            lambda: Case.objects.select_for_update(of=("self",)).select_related("region"),
            id="of self",
        ),
        pytest.param(
            lambda: Case.objects.select_for_update().filter(
                pk__in=Note.objects.filter(case__region__slug="noord").values("case")
            ),
            id="join in a subquery",
        ),
        pytest.param(lambda: Case.objects.select_related("region"), id="no lock"),
    ],
)
def test_a_lock_of_its_own_rows_passes(queryset: Callable[[], QuerySet[Any]]) -> None:
    assert "SELECT" in _sql(queryset())


def test_joined_tables_reads_the_outer_from_clause_only() -> None:
    sql = 'SELECT 1 FROM "a" INNER JOIN "b" ON ("a"."b_id" = "b"."id") WHERE "a"."id" IN '
    sql += '(SELECT "c"."a_id" FROM "c" LEFT OUTER JOIN "d" ON ("c"."d_id" = "d"."id"))'
    assert joined_tables(sql) == ["b"]
