from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation

from mda.access import two_factor_verified

# Paths an authenticated user who has not passed the second factor may still reach.
_OPEN_PREFIXES = (
    "/login/",
    "/logout/",
    "/2fa/",
    "/i18n/",
    "/static/",
    "/healthz",
    "/readyz",
    "/api/",
)


class LanguageMiddleware:
    """Dutch unless the user chose English with the switch (a cookie), never from the browser.

    Django's LocaleMiddleware would follow Accept-Language; this service's pages are Dutch first
    for every visitor, whatever their browser says. API clients are machines that ask for a
    language on purpose: under /api/ an Accept-Language naming nl or en is honoured.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def _language_for(self, request: HttpRequest) -> str:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in self.supported:
            return str(chosen)
        if request.path.startswith("/api/"):
            for part in request.headers.get("Accept-Language", "").split(","):
                code = part.split(";")[0].strip().lower()[:2]
                if code in self.supported:
                    return code
        return str(settings.LANGUAGE_CODE)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = self._language_for(request)
        request.LANGUAGE_CODE = language
        with translation.override(language):  # restores the caller's language afterwards
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if request.path.startswith("/api/"):
            response.headers.setdefault("Vary", "Accept-Language")
        return response


class RequireTwoFactorMiddleware:
    """Web pages need a login that passed the second factor; otherwise back to that step."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not two_factor_verified(user)
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            return redirect("mda:two_factor")
        return self.get_response(request)
