"""API authentication: bearer tokens for integrations, and sessions that passed two-factor."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from mda.access import two_factor_verified
from mda.models import ApiToken
from mda.models.accounts import token_digest
from mda.queries import one_or_none

LAST_USE_EVERY = timedelta(seconds=60)


def _last_use_record(token: ApiToken) -> None:
    """Note when *token* was used, at most once a minute, and never waiting for it.

    The row stays locked until the request's transaction ends. An integration sending requests
    in parallel with one token would otherwise queue every request behind the one that took the
    lock, once a minute; with SKIP LOCKED the others see that one is writing it and go on."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at <= LAST_USE_EVERY:
        return
    with transaction.atomic():
        free = ApiToken.objects.select_for_update(skip_locked=True, no_key=True).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USE_EVERY), pk=token.pk
        )
        if free.values_list("pk").first() is not None:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if parts[0] != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Use 'Authorization: Bearer <token>'."))
        token = one_or_none(
            ApiToken.objects.select_related("user").filter(
                digest=token_digest(parts[1]), revoked_at__isnull=True
            )
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token is unknown or has been revoked."))
        _last_use_record(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """The web UI's session, only once the second factor was passed."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = getattr(request._request, "user", None)
        if user is None or not two_factor_verified(user):
            return None
        return result


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "mda.api_auth.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer"}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "mda.api_auth.VerifiedSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
