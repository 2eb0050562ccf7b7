"""The append-only, hash-chained audit trail (NEN 7513 style). Metadata only, never content."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class AuditEvent(models.Model):
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
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"#{self.pk} {self.occurred_at:%Y-%m-%d %H:%M} {self.username} {self.action}"
