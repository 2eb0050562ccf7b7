"""What every benchmark shares: its own PostgreSQL database, timing, and the figures table.

A benchmark never touches real data nor the test suite's database: it works in
``<database of DATABASE_URL>_bench`` (created and migrated when missing, kept between runs so that
a million cases are built once; ``--quick`` runs use ``..._bench_quick``). Each figure is printed
beside a baseline measured in the same run and the goal, with "met" or "NOT met"; nothing is
asserted, so a slow shared machine does not fail CI (``.ci/run`` runs every benchmark with
``--quick`` to keep them working).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

SHARED_NOTE = (
    "Timings are medians of repeated runs; on a shared machine they vary with the others' load."
)


def bench_database_url(*, quick: bool = False) -> str:
    """DATABASE_URL with the database name suffixed ``_bench`` (``_bench_quick`` for the quick
    size, so that ``.ci/run`` on a developer's machine leaves their million cases alone);
    PostgreSQL only."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit(
            "The benchmarks run on PostgreSQL: set DATABASE_URL=postgres://user:pw@host:5432/name "
            "(they use the database name_bench, created when missing)."
        )
    name = parts.path.lstrip("/").removesuffix("_bench_quick").removesuffix("_bench")
    name = f"{name}_bench_quick" if quick else f"{name}_bench"
    return urlunsplit(parts._replace(path=f"/{name}"))


def _create_database(url: str, *, drop: bool = False) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if drop:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup(*, database: bool = True, quick: bool = False) -> None:
    """Point Django at the benchmark database (the quick size's own with *quick*), create and
    migrate it, and set Django up."""
    if not database:
        import django

        django.setup()
        return
    url = bench_database_url(quick=quick)
    _create_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ["MDA_TEST_DB_NAME"] = urlsplit(url).path.lstrip("/")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0)


def recreate_database() -> None:
    """Start again from an empty, migrated benchmark database (the audit trail refuses TRUNCATE)."""
    from django.core.management import call_command
    from django.db import connection

    connection.close()
    _create_database(os.environ["DATABASE_URL"], drop=True)
    call_command("migrate", verbosity=0)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def samples(fn: Callable[[], Any], runs: int) -> list[float]:
    return [timed(fn)[0] for _ in range(runs)]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def median(values: list[float]) -> float:
    return statistics.median(values)


@dataclass
class Figure:
    name: str
    value: str
    baseline: str
    goal: str
    met: bool | None  # None: informative, no goal


@dataclass
class Report:
    title: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, value: str, baseline: str, goal: str, met: bool | None) -> None:
        self.figures.append(Figure(name, value, baseline, goal, met))

    def print(self) -> None:
        print(f"\n== {self.title}")
        width = max([len(f.name) for f in self.figures] + [10])
        for f in self.figures:
            verdict = "" if f.met is None else ("met" if f.met else "NOT met")
            print(
                f"  {f.name:<{width}}  {f.value:>14}   baseline {f.baseline:<28} "
                f"goal {f.goal:<22} {verdict}"
            )
        for note in [*self.notes, SHARED_NOTE]:
            print(f"  note: {note}")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def us(seconds: float) -> str:
    return f"{seconds * 1_000_000:.1f} us"
