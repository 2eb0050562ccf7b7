"""Web pages of the core: login with two-factor, the start page, health endpoints."""

from __future__ import annotations

import logging
from typing import Any

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from celery import current_app as app  # config.celery, set up when Django starts
from django.conf import settings
from django.contrib.auth import authenticate, login, logout, user_login_failed
from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from mda import access, services
from mda.forms import LoginForm, TokenForm
from mda.http import AuthenticatedHttpRequest
from mda.models import ServiceHeartbeat
from mda.notifications import notification_acknowledge
from mda.pagination import keyset_page_of

logger = logging.getLogger(__name__)


def _safe_next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return settings.LOGIN_REDIRECT_URL


def _locked_response(request: HttpRequest) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "mda/auth/locked.html", {"cooloff_minutes": minutes}, status=429)


@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if access.two_factor_verified(request.user):
        return redirect(_safe_next(request))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if getattr(request, "axes_locked_out", False):
            return _locked_response(request)
        if user is not None:
            login(request, user)  # first factor only: RequireTwoFactorMiddleware guards the rest
            request.session["mda_next"] = _safe_next(request)
            return redirect("mda:two_factor")
        form.add_error(None, _("Incorrect username or password."))
    return render(request, "mda/auth/login.html", {"form": form, "next": _safe_next(request)})


def _otp_failed(request: HttpRequest) -> bool:
    """Count a wrong code as a failed login; True when the account is now locked."""
    credentials = {settings.AXES_USERNAME_FORM_FIELD: request.user.get_username()}
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    return AxesProxyHandler.is_locked(request, credentials)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Second factor: enrol a TOTP app on first login, otherwise verify a code."""
    user = request.user
    if access.two_factor_verified(user):
        return redirect(settings.LOGIN_REDIRECT_URL)
    credentials = {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        logout(request)
        return _locked_response(request)
    confirmed = [d for d in devices_for_user(user, confirmed=True) if isinstance(d, TOTPDevice)]
    enrolling = not confirmed
    device = services.totp_device_for_enrolment(user=user) if enrolling else None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        candidates = [device] if device is not None else confirmed
        match = next((d for d in candidates if d.verify_token(token)), None)
        if match is not None:
            if enrolling:
                services.totp_device_confirm(device=match)
            otp_login(request, match)
            request.session.cycle_key()
            axes_reset(username=user.get_username())
            return redirect(request.session.pop("mda_next", settings.LOGIN_REDIRECT_URL))
        if _otp_failed(request):
            logout(request)
            return _locked_response(request)
        form.add_error("token", _("That code is not correct. Check the time on your phone."))
    context: dict[str, Any] = {"form": form, "enrolling": enrolling}
    if device is not None:
        qr = segno.make(device.config_url, error="m")
        # No fixed size (a viewBox instead): the CSS fits the code to narrow phone screens.
        context["qr_svg"] = qr.svg_inline(
            scale=5, omitsize=True, title=_("QR code for your authenticator app")
        )
        context["secret_base32"] = _base32(device.bin_key)
    return render(request, "mda/auth/two_factor.html", context)


def _base32(key: bytes) -> str:
    import base64

    text = base64.b32encode(key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("mda:login")


@require_GET
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"status": "up", "vendor": connection.vendor}
    except Exception as exc:  # a readiness probe reports, it does not crash
        logger.warning("readyz: database unreachable: %s", type(exc).__name__)
        return {"status": "down", "error": type(exc).__name__}


def _check_broker() -> dict[str, Any]:

    transport = app.conf.broker_url.split("://", 1)[0]
    try:
        with app.connection_for_write() as conn:
            # One try, no back-off sleep: probes repeat on their own and have short timeouts.
            conn.ensure_connection(max_retries=0, timeout=2)
        return {"status": "up", "transport": transport}
    except Exception as exc:
        logger.warning("readyz: broker unreachable: %s", type(exc).__name__)
        return {"status": "down", "transport": transport, "error": type(exc).__name__}


def _check_worker() -> dict[str, Any]:
    try:
        beat = ServiceHeartbeat.objects.filter(name="worker").first()
    except Exception:
        return {"status": "unknown"}
    if beat is None:
        return {"status": "unknown", "detail": "no heartbeat yet"}
    age = (timezone.now() - beat.beat_at).total_seconds()
    fresh = age <= settings.MDA_HEARTBEAT_STALE_SECONDS
    return {"status": "up" if fresh else "stale", "last_heartbeat_seconds_ago": int(age)}


@require_GET
@transaction.non_atomic_requests
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready when the database and the broker answer; the worker's heartbeat is reported too."""
    components = {
        "database": _check_database(),
        "broker": _check_broker(),
        "worker": _check_worker(),
    }
    ready = components["database"]["status"] == "up" and components["broker"]["status"] == "up"
    return JsonResponse(
        {"status": "ready" if ready else "not_ready", "components": components},
        status=200 if ready else 503,
    )


@login_required
@require_GET
def notification_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    notifications = access.notifications_visible_to(request.user)
    page = keyset_page_of(request, notifications, size=50)
    return render(request, "mda/notifications.html", {"page": page})


@login_required
@require_POST
def notification_acknowledge_view(request: AuthenticatedHttpRequest, uuid: str) -> HttpResponse:
    notification = access.access_notification(request.user, uuid)
    notification_acknowledge(actor=request.user, notification=notification)
    return redirect("mda:notifications")
