"""Writes of the core: API tokens, two-factor devices, heartbeats."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from mda.models import ApiToken, ServiceHeartbeat, User
from mda.models.accounts import token_digest

ISSUED_TOKEN_LEADER = "mda_"  # noqa: S105 - a visible prefix, not a secret


@transaction.atomic
def api_token_issue(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for *user*; the raw value is returned once and never stored."""
    raw = ISSUED_TOKEN_LEADER + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=raw[:12], digest=token_digest(raw))
    token.full_clean()
    token.save()
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def totp_device_for_enrolment(*, user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created on first need (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice) -> TOTPDevice:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return device


def heartbeat_record(*, name: str) -> None:
    ServiceHeartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})
