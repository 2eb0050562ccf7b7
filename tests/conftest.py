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

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from mda.models import DecreedDay, Domain, Organisation, OrganisationKind, Region, Role, User
from mda.services import api_token_issue
from mda.workdays import workdays_forget
from tests.factories import MembershipFactory, OrganisationFactory, RegionFactory, UserFactory


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


@pytest.fixture
def decreed_days(db: None) -> None:
    """The decree days the data migration seeds (a transactional test's flush removes them)."""
    import importlib

    seeded = importlib.import_module("mda.migrations.0004_working_day_calendar")
    for day, description in seeded.DECREED_DAYS:
        DecreedDay.objects.get_or_create(day=day, defaults={"description": description})


REQUIRE_SERVICES = os.environ.get("MDA_REQUIRE_SERVICES", "").lower() in {"1", "true", "yes"}


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


@pytest.fixture
def cast(db: None) -> Cast:
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


@pytest.fixture
def web(cast: Cast):
    """``web("police")`` gives a logged-in web client for that persona."""
    return lambda name: login_client(cast.personas[name])


@pytest.fixture
def api(cast: Cast):
    """``api("police")`` gives an API client with a bearer token for that persona."""
    return lambda name: api_client(cast.personas[name])


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
    from django.db import connections

    with pytest.MonkeyPatch.context() as patch:
        for ops_class in {type(connections[alias].ops) for alias in connections}:
            lifting = _flush_lifting_audit_triggers(ops_class.sql_flush)
            patch.setattr(ops_class, "sql_flush", lifting)
        yield


# --- Audit trail: end ---
