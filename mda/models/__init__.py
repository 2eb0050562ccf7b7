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
from mda.models.audit import AuditAction, AuditEvent
from mda.models.facts import SPELL_KINDS, Fact, FactKind
from mda.models.keys import DataKey
from mda.models.notifications import Notification
from mda.models.system import ServiceHeartbeat

__all__ = [
    "SPELL_KINDS",
    "ApiToken",
    "AuditAction",
    "AuditEvent",
    "DataKey",
    "Domain",
    "Fact",
    "FactKind",
    "Membership",
    "Notification",
    "Organisation",
    "OrganisationKind",
    "Region",
    "Role",
    "ServiceHeartbeat",
    "User",
]
