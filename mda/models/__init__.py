from mda.models.accounts import (
    ApiToken,
    Domain,
    Membership,
    Organisation,
    OrganisationKind,
    Region,
    Role,
    User,
)
from mda.models.audit import AuditAction, AuditEvent, AuditEventCase, AuditSeal
from mda.models.calendar import DecreedDay, RegionClosingDay
from mda.models.facts import SPELL_KINDS, Fact, FactKind
from mda.models.keys import DataKey
from mda.models.notifications import Notification
from mda.models.system import ServiceHeartbeat

__all__ = [
    "SPELL_KINDS",
    "ApiToken",
    "AuditAction",
    "AuditEvent",
    "AuditEventCase",
    "AuditSeal",
    "DataKey",
    "DecreedDay",
    "Domain",
    "Fact",
    "FactKind",
    "Membership",
    "Notification",
    "Organisation",
    "OrganisationKind",
    "Region",
    "RegionClosingDay",
    "Role",
    "ServiceHeartbeat",
    "User",
]
