"""Every row lock names the rows it means: a SELECT ... FOR UPDATE over a join must say ``OF``.

Without ``of``, PostgreSQL locks the matching row of every table in the FROM clause: a case locked
with its region and referring organisation joined in (``select_related``) also locked that region
row and that organisation row, for as long as the transaction ran. Every other write in the region
then waited on it, and a request whose deferred foreign-key check (Django makes PostgreSQL's
foreign keys DEFERRABLE INITIALLY DEFERRED, checked at COMMIT with a key-share lock) reached the
region or organisation row after the case row deadlocked with it.

In the test run the compiler refuses such a statement, on both databases (SQLite ignores the lock
but the statement is the same), so a new one fails its first test instead of a busy day.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db.models.sql.compiler import SQLCompiler


class JoinedRowLock(AssertionError):
    pass


def _outside_parentheses(sql: str) -> str:
    """*sql* without anything in parentheses: its own FROM clause, not its subqueries'."""
    kept, depth = [], 0
    for char in sql:
        depth += (char == "(") - (char == ")")
        if depth == 0 and char != ")":
            kept.append(char)
    return "".join(kept)


def joined_tables(sql: str) -> list[str]:
    """The tables a statement joins to its own (the ones a lock without ``OF`` also locks)."""
    return re.findall(r'JOIN "?(\w+)"?', _outside_parentheses(sql))


def _refusing_joined_locks(original: Callable[..., Any]) -> Callable[..., Any]:
    def as_sql(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        query = self.query
        if query.select_for_update and not query.select_for_update_of:
            joined = joined_tables(result[0])
            if joined:
                raise JoinedRowLock(
                    f"select_for_update() on {query.model.__name__ if query.model else '?'} "
                    f"also locks the joined rows of {', '.join(joined)}: "
                    'pass of=("self",) (and no_key=True unless the key may change)'
                )
        return result

    return as_sql


@contextlib.contextmanager
def joined_row_locks_refused() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SQLCompiler, "as_sql", _refusing_joined_locks(SQLCompiler.as_sql))
        yield
