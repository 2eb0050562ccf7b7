"""The shared cast: personas every test uses, and clients logged in as them.

| persona | who |
| --- | --- |
| coordinator | procesregisseur at the Zorg- en Veiligheidshuis, region north |
| chair | voorzitter at the Zorg- en Veiligheidshuis |
| police | police officer (justice domain) |
| care | GGZ worker (care domain) |
| social | lokaal team worker (social domain) |
| veilig_thuis | Veilig Thuis worker (social domain) |
| escalation | team lead at the lokaal team (escalation official) |
| privacy | privacy officer (functionaris gegevensbescherming) |
| admin | functional admin |
| policy | policy officer / chain manager: the region's figures, no case |
| outsider | coordinator of another region |
| outsider_police | police officer of another region |
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from _pytest import runner
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models.signals import post_migrate
from django.test import Client
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from mda.audit import audit_ids_reserve
from mda.models import DecreedDay, Domain, Organisation, OrganisationKind, Region, Role, User
from mda.services import api_token_issue
from mda.workdays import workdays_forget
from tests.factories import MembershipFactory, OrganisationFactory, RegionFactory, UserFactory
from tests.support import database_template, layers, locks, order, stack
from tests.support.layers import layer


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    """Tests compare messages in English, the source language. That the UI is Dutch by default,
    and that the Dutch catalogue is complete, is tested in tests/mda/test_i18n.py and
    tests/mda/test_translations.py."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fresh_working_day_calendar() -> Iterator[None]:
    """Every test reads decree and closing days anew: the days a rolled-back test added (which
    no signal reports) must not stay in the cache for the next."""
    workdays_forget()
    yield
    workdays_forget()


def _reseed_decreed_days(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """After a transactional test's flush (which runs this, below), the decree days the data
    migration seeded are there again: with the suite in several processes, a test that relies on
    them may run after a transactional test in its process."""
    if getattr(sender, "name", "") != "mda":
        return
    import importlib

    seeded = importlib.import_module("mda.migrations.0004_working_day_calendar")
    for day, description in seeded.DECREED_DAYS:
        DecreedDay.objects.using(using).get_or_create(
            day=day, defaults={"description": description, "source": seeded.SOURCE}
        )


post_migrate.connect(_reseed_decreed_days, dispatch_uid="tests-reseed-decreed-days")


@pytest.fixture
def decreed_days(db: None) -> None:
    """The decree days the data migration seeds (a transactional test's flush removes them)."""
    import importlib

    seeded = importlib.import_module("mda.migrations.0004_working_day_calendar")
    for day, description in seeded.DECREED_DAYS:
        DecreedDay.objects.get_or_create(day=day, defaults={"description": description})


# --- Layers (tests/support/layers.py): worlds built once and shared by the tests that use them ---


@pytest.fixture(autouse=True)
def _shared_layers(
    request: pytest.FixtureRequest, english_messages: None, fresh_working_day_calendar: None
) -> layers.TestLayers:
    """Before each test's own fixtures: the shared layers it uses, built or kept (in English and
    with the working-day calendar read anew, as the test would have built them)."""
    return layers.for_test(request)


@pytest.fixture(autouse=True)
def _audit_ids_reserved(request: pytest.FixtureRequest, django_db_blocker: Any) -> None:
    """A connection takes its first block of audit event ids with a statement of its own
    (``mda.audit``); taken before each test, statement counts do not depend on which test was the
    first to append on the connection."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        audit_ids_reserve()


@pytest.fixture(scope="session")
def django_db_keepdb(request: pytest.FixtureRequest, django_db_modify_db_settings: None) -> bool:
    """Keep the test database instead of creating it when a migrated copy was put in its place
    (SQLite, tests/support/database_template.py); ``--reuse-db`` keeps it as before."""
    if request.config.getvalue("reuse_db"):
        return True
    return database_template.restore()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """pytest-django's, then the freshly migrated SQLite database kept for the next run."""
    with django_db_blocker.unblock():
        database_template.save()


@pytest.fixture(scope="session")
def _layer_stack(django_db_setup: None, django_db_blocker: Any) -> Iterator[layers.Stack]:
    yield from layers.stack_for_session(django_db_blocker)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    try:
        return (yield)
    finally:
        layers.after_test(nextitem)


REQUIRE_SERVICES = os.environ.get("MDA_REQUIRE_SERVICES", "").lower() in {"1", "true", "yes"}


def require_postgresql(why_not_sqlite: str) -> None:
    """Skip on SQLite, saying *why_not_sqlite*; fail instead where the services are required (CI's
    PostgreSQL run), so a PostgreSQL-only test can never be skipped there unnoticed."""
    from django.db import connection

    if connection.vendor != "postgresql":
        if REQUIRE_SERVICES:
            pytest.fail("MDA_REQUIRE_SERVICES is set: this test must run against PostgreSQL")
        pytest.skip(why_not_sqlite)


@dataclass
class Persona:
    user: User
    organisation: Organisation
    role: str
    device: TOTPDevice

    @property
    def region(self) -> Region:
        return self.organisation.region


@dataclass
class Cast:
    north: Region
    south: Region
    orgs: dict[str, Organisation]
    personas: dict[str, Persona]

    def __getattr__(self, name: str) -> Persona:
        # Only called for names that are not attributes; "personas" itself is missing while
        # copy.deepcopy rebuilds a Cast, and dunder lookups must not reach the dict.
        if name == "personas" or name.startswith("__"):
            raise AttributeError(name)
        try:
            return self.personas[name]
        except KeyError:
            raise AttributeError(name) from None


ORGS = {
    # key: (region, name, domain, kind)
    "zvh": ("north", "ZVH Noord", Domain.COORDINATION, OrganisationKind.SAFETY_HOUSE),
    "police": ("north", "Politie Noord", Domain.JUSTICE, OrganisationKind.POLICE),
    "ggz": ("north", "GGZ Noord", Domain.CARE, OrganisationKind.MENTAL_HEALTH),
    "local_team": ("north", "Lokaal team Noord", Domain.SOCIAL, OrganisationKind.LOCAL_TEAM),
    "veilig_thuis": ("north", "Veilig Thuis Noord", Domain.SOCIAL, OrganisationKind.VEILIG_THUIS),
    "south_zvh": ("south", "ZVH Zuid", Domain.COORDINATION, OrganisationKind.SAFETY_HOUSE),
    "south_police": ("south", "Politie Zuid", Domain.JUSTICE, OrganisationKind.POLICE),
}

PERSONAS = {
    # key: (organisation key, role)
    "coordinator": ("zvh", Role.COORDINATOR),
    "chair": ("zvh", Role.CHAIR),
    "privacy": ("zvh", Role.PRIVACY_OFFICER),
    "admin": ("zvh", Role.FUNCTIONAL_ADMIN),
    "policy": ("zvh", Role.POLICY_OFFICER),
    "police": ("police", Role.PROFESSIONAL),
    "care": ("ggz", Role.PROFESSIONAL),
    "social": ("local_team", Role.PROFESSIONAL),
    "veilig_thuis": ("veilig_thuis", Role.PROFESSIONAL),
    "escalation": ("local_team", Role.ESCALATION_OFFICIAL),
    "outsider": ("south_zvh", Role.COORDINATOR),
    "outsider_police": ("south_police", Role.PROFESSIONAL),
}


@layer
def cast() -> Cast:
    regions = {
        "north": RegionFactory(name="Noord", slug="noord"),
        "south": RegionFactory(name="Zuid", slug="zuid"),
    }
    orgs: dict[str, Organisation] = {
        key: OrganisationFactory(
            region=regions[r], name=name, slug=key.replace("_", "-"), domain=domain, kind=kind
        )
        for key, (r, name, domain, kind) in ORGS.items()
    }
    personas = {}
    for key, (org_key, role) in PERSONAS.items():
        user = UserFactory(username=key)
        MembershipFactory(user=user, organisation=orgs[org_key], role=role)
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        personas[key] = Persona(user=user, organisation=orgs[org_key], role=role, device=device)
    return Cast(north=regions["north"], south=regions["south"], orgs=orgs, personas=personas)


def login_client(
    persona: Persona, client: Client | None = None, language: str | None = "en"
) -> Client:
    """A Django test client logged in with both factors, as the web UI would be."""
    client = client or Client()
    if language:  # tests read English messages; None leaves the service's default (Dutch)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(persona.user)
    session = client.session
    session["otp_device_id"] = persona.device.persistent_id
    session.save()
    return client


def api_client(persona: Persona) -> APIClient:
    """An API client that authenticates with a real bearer token of the persona."""
    _token, raw = api_token_issue(user=persona.user, name="test")
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")  # tests read English messages
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@dataclass
class Logins:
    """Clients for the personas: by default a new bearer token and a new login at each call, as
    tests that count tokens or sessions expect; ``made_once`` ones share one of each per persona."""

    personas: dict[str, Persona]
    tokens: dict[str, str] | None = None
    sessions: dict[str, str] | None = None

    @classmethod
    def made_once(cls, personas: dict[str, Persona]) -> Logins:
        tokens, sessions = {}, {}
        for name, persona in personas.items():
            tokens[name] = api_token_issue(user=persona.user, name="test")[1]
            session_key = login_client(persona).session.session_key
            assert session_key is not None
            sessions[name] = session_key
        return cls(personas=personas, tokens=tokens, sessions=sessions)

    def api(self, name: str) -> APIClient:
        if self.tokens is None:
            return api_client(self.personas[name])
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")  # tests read English messages
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {self.tokens[name]}")
        return client

    def web(self, name: str) -> Client:
        key = self.sessions[name] if self.sessions is not None else None
        if key is None or not self._alive(key):
            return login_client(self.personas[name])
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        client.cookies[settings.SESSION_COOKIE_NAME] = key
        return client

    @staticmethod
    def _alive(session_key: str) -> bool:
        # Not when the test's clock stands past the session's idle timeout, or it logged out.
        return Session.objects.filter(
            session_key=session_key, expire_date__gt=timezone.now()
        ).exists()


@pytest.fixture
def logins(cast: Cast) -> Logins:
    return Logins(cast.personas)


def logins_made_once() -> Any:
    """A ``logins`` layer for a persona table: ``logins = logins_made_once()`` in a module gives
    its ``api`` and ``web`` one token and one session (both factors passed) per persona, made once
    for the tests that follow instead of at each call."""

    @layer
    def logins(cast: Cast) -> Logins:
        return Logins.made_once(cast.personas)

    return logins


@pytest.fixture
def web(logins: Logins) -> Callable[[str], Client]:
    """``web("police")`` gives a logged-in web client for that persona."""
    return logins.web


@pytest.fixture
def api(logins: Logins) -> Callable[[str], APIClient]:
    """``api("police")`` gives an API client with a bearer token for that persona."""
    return logins.api


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record-durations",
        action="store_true",
        help="write the seconds each test file took to tests/durations.json "
        "(tests/support/order.py)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # A test process holds a large heap that lives as long as it does (Django, its app registry,
    # URL patterns, hypothesis's strategies, the layers' data), and the tests allocate fast: at
    # Python's default thresholds a full collection walks all of it some 30 times a run, a tenth
    # of the suite's CPU time. Collected less often, young garbage still goes in the young
    # generations (memory per process about 350 MB instead of 270 MB).
    gc.set_threshold(10_000, 10, 100)
    if config.getoption("record_durations") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(order.DurationRecorder(), "mda-durations")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    """Pytest's own protocol for the test (set-up, call, tear-down, reports), run on one chunk of
    CPython's frame stack (tests/support/stack.py): without it the frames of a request or query
    map and unmap a chunk of that stack thousands of times a test file."""
    return stack.run_in_one_chunk(runner.pytest_runtest_protocol, item, nextitem)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Test files longest first, the browser files in one process (tests/support/order.py)."""
    return order.LongestFirst(config, log) if config.getoption("dist") == "loadfile" else None


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """At its very end pytest collects garbage five times over (to report exceptions raised in
    finalizers), then the process exits: seconds per test process, over a heap of some 350 MB,
    before the run can report. One collection here finds that garbage (and what it raises is
    still reported); frozen after it, the heap is not walked again."""
    gc.collect()
    gc.freeze()


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI every real service is required: a missing one fails the run, it never skips."""
    if not REQUIRE_SERVICES:
        return
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if missing:
        raise pytest.UsageError(
            f"MDA_REQUIRE_SERVICES is set but {', '.join(missing)} is not: CI must run against "
            "PostgreSQL and Redis."
        )


# --- Audit trail (mda/audit.py): test flushes may empty the append-only audit table. begin ---
# Transactional tests (live server, browser, worker) end with a flush: DELETE on SQLite, TRUNCATE
# on PostgreSQL, both refused by the audit tables' triggers (mda/migrations/0004). Only in the test
# run, the flush drops those triggers first and recreates them after, all inside the flush's own
# transaction. Production keeps them unconditionally: a `manage.py flush` there fails, as it should.


def _flush_lifting_audit_triggers(original):
    import importlib

    triggers = importlib.import_module("mda.migrations.0005_audit_seals").TRIGGERS

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        vendor = triggers.get(self.connection.vendor)
        if vendor is None or "mda_auditevent" not in tables or not statements:
            return statements
        return [*vendor.drop, *statements, *vendor.create]

    return sql_flush


@pytest.fixture(scope="session", autouse=True)
def _audit_flush_lifts_append_only_triggers():
    from django.core.management.commands import flush
    from django.db import connections

    with pytest.MonkeyPatch.context() as patch:
        for ops_class in {type(connections[alias].ops) for alias in connections}:
            lifting = _flush_lifting_audit_triggers(_flush_deleting(ops_class.sql_flush))
            patch.setattr(ops_class, "sql_flush", _flush_keeping_derived_tables(lifting))
        patch.setattr(flush.Command, "handle", _flush_reseeding_only(flush.Command.handle))
        yield


# Content types and permissions are derived from the models, and no test changes them. A flush
# that deleted them had post_migrate make them again: some 40 ms after every transactional test
# (a browser test, a live server), 3 s a run. The flush keeps those two tables, and of the
# post_migrate receivers only the one that restores data the flush removed runs after it.
DERIVED_TABLES = frozenset({"django_content_type", "auth_permission"})


def _flush_keeping_derived_tables(original):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        flushed = [table for table in tables if table not in DERIVED_TABLES]
        return original(
            self, style, flushed, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )

    return sql_flush


def _flush_reseeding_only(original):
    def handle(self, **options):
        reseed = not options.get("inhibit_post_migrate", False)
        result = original(self, **{**options, "inhibit_post_migrate": True})
        if reseed:
            from django.apps import apps

            _reseed_decreed_days(sender=apps.get_app_config("mda"), using=options["database"])
        return result

    return handle


# --- Audit trail: end ---


@pytest.fixture(scope="session", autouse=True)
def _row_locks_name_their_rows() -> Iterator[None]:
    """A select_for_update() over a join must name its rows (tests/support/locks.py)."""
    with locks.joined_row_locks_refused():
        yield


# A flush on PostgreSQL DELETEs, as on SQLite, instead of TRUNCATE: TRUNCATE costs per table (new
# files for it and each index), 1.5-5 s for the ~60 nearly empty tables after every transactional
# test on a busy machine; DELETE of their few rows takes milliseconds. Django makes PostgreSQL's
# foreign keys DEFERRABLE INITIALLY DEFERRED, so the order of the DELETEs in the flush's one
# transaction does not matter.
def _flush_deleting(original):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if self.connection.vendor != "postgresql" or reset_sequences:
            return original(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        delete = f"{style.SQL_KEYWORD('DELETE')} {style.SQL_KEYWORD('FROM')}"
        return [f"{delete} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]

    return sql_flush
