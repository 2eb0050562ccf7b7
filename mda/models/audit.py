"""The append-only audit trail (NEN 7513 style). Metadata only, never content.

Three insert-only tables (mda/audit.py explains the design): the events themselves, the seals that
chain them in order, and an index of the cases an event concerns when it concerns several.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from mda.models.base import Model


class AuditAction(models.TextChoices):
    VIEW = "view", _("view")
    SEARCH = "search", _("search")
    REVEAL = "reveal", _("reveal")
    CREATE = "create", _("create")
    CHANGE = "change", _("change")
    REVOKE = "revoke", _("revoke")
    EXPORT = "export", _("export")
    DISCLOSE = "disclose", _("disclose")
    LOGIN = "login", _("login")
    LOGOUT = "logout", _("logout")


# What an event's ``object_type`` is called where people read the trail (the access log).
OBJECT_WORDS = {
    "access_log": _("access log"),
    "agenda": _("agenda"),
    "agenda_item": _("agenda slot"),
    "agreement": _("agreement"),
    "calendar_feed": _("calendar feed"),
    "case": _("case"),
    "case_director": _("case director"),
    "case_event": _("status change"),
    "case_search": _("search for a person's cases"),
    "check_in": _("follow-up check-in"),
    "contribution": _("partner contribution"),
    "escalation": _("escalation"),
    "identity": _("identity"),
    "invitation": _("invitation"),
    "lifecycle": _("status"),
    "meeting": _("meeting"),
    "meeting_pack": _("meeting pack"),
    "minutes": _("minutes"),
    "note": _("note"),
    "participation": _("participation (weegmoment)"),
    "plan": _("plan"),
    "reveal_reasons": _("reasons for identity reveals"),
    "safety_phase": _("safety phase"),
    "safety_score": _("Signs of Safety reading"),
}
# The action as a past participle: "viewed: case", "revealed: identity".
ACTION_WORDS = {
    "view": _("viewed"),
    "search": _("searched"),
    "reveal": _("revealed"),
    "create": _("created"),
    "change": _("changed"),
    "revoke": _("revoked"),
    "export": _("exported"),
    "disclose": _("shared"),
    "login": _("logged in"),
    "logout": _("logged out"),
}


class AuditEvent(Model):
    """One event: written in the transaction of what it records, with a keyed MAC of its columns.

    It is chained later, by the sealer (``AuditSeal``); until then it is *pending*, but it is
    already in the trail (the access log shows it).
    """

    # Not a column: the (reference, region) of each case of an event about several, set by the
    # collector before the append writes them as ``AuditEventCase`` rows.
    audit_cases: Sequence[tuple[str, str]] = ()

    occurred_at = models.DateTimeField(_("time"), db_index=True)
    # No database FK constraint: audit rows must outlive users and never be cascaded or updated.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField(_("user"), max_length=150, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    organisation_id_snapshot = models.BigIntegerField(null=True, blank=True)
    role = models.CharField(_("role"), max_length=30, blank=True)
    on_behalf_of = models.CharField(_("on behalf of"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=50, blank=True)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    case_reference = models.CharField(_("case"), max_length=32, blank=True, db_index=True)
    region_slug = models.CharField(_("region"), max_length=50, blank=True)
    client_address = models.CharField(_("client address"), max_length=64, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    # HMAC of the columns above and the id: an event inserted without the key is recognised.
    mac = models.CharField(max_length=64)
    # PostgreSQL: the inserting transaction's id, set by a trigger (whatever the INSERT says). It
    # bounds the sealer's search for events that committed since its last run. NULL on SQLite.
    txid = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["txid"], name="mda_auditevent_txid")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.occurred_at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    @property
    def what(self) -> str:
        """The event in words: "viewed: case", "revealed: identity"."""
        action = ACTION_WORDS.get(self.action, self.action)
        thing = OBJECT_WORDS.get(self.object_type, self.object_type.replace("_", " "))
        return f"{str(action).capitalize()}: {thing}" if thing else str(action).capitalize()

    @property
    def who(self) -> str:
        """ "Name, organisation (role)" as recorded; the name from the user where there is one."""
        from mda.models.accounts import Role

        try:
            user = self.user if self.user_id else None
        except ObjectDoesNotExist:  # the trail outlives its users
            user = None
        name = (user.get_full_name() if user else "") or self.username
        role = dict(Role.choices).get(self.role, self.role)
        parts = ", ".join(p for p in (name, self.organisation_name) if p)
        return f"{parts} ({role})" if role else parts


class AuditSeal(Model):
    """An event's place in the hash chain: dense positions 1, 2, 3 ... in the order sealed.

    ``hash = HMAC(key, prev_hash | position | event_id | event.mac)``; each seal carries its
    predecessor's hash, so any range of positions can be verified on its own.
    """

    position = models.BigIntegerField(primary_key=True)
    event_id = models.BigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField()
    # Where the sealer may start looking next time (PostgreSQL: a transaction id below which every
    # transaction had finished when this seal was made; SQLite: unused, 0).
    horizon = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")

    def __str__(self) -> str:
        return f"{self.position}: #{self.event_id}"


class AuditEventCase(Model):
    """The cases of an event that concerns several (an agenda, an invitation message), so that
    each case's access log finds it. The event's own ``detail["cases"]`` (under its MAC) lists
    the same references."""

    event_id = models.BigIntegerField()
    case_reference = models.CharField(max_length=32)
    region_slug = models.CharField(max_length=50)

    class Meta:
        verbose_name = _("audit event case")
        verbose_name_plural = _("audit event cases")
        indexes = [
            models.Index(fields=["case_reference", "region_slug"], name="mda_auditcase_ref"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "case_reference"], name="mda_auditcase_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.event_id} {self.case_reference}"
