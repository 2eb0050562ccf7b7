from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation

# Paths an authenticated user who has not passed the second factor may still reach.
_OPEN_PREFIXES = (
    "/login/", "/logout/", "/2fa/", "/i18n/", "/static/", "/healthz", "/readyz", "/api/",
)


class LanguageMiddleware:
    """Dutch unless the user chose English with the switch (a cookie), never from the browser.

    Django's LocaleMiddleware would follow Accept-Language; this service is Dutch first for every
    visitor, whatever their browser says.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class RequireTwoFactorMiddleware:
    """Web pages need a login that passed the second factor; otherwise back to that step."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr]
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            return redirect("mda:two_factor")
        return self.get_response(request)
