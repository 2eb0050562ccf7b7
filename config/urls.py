from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path
from django.utils.translation import gettext as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from mda import views as mda_views
from mda.admin import admin_site
from mda.api_errors import json_error

urlpatterns = [
    path("healthz", mda_views.healthz, name="healthz"),
    path("readyz", mda_views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin_site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("mda.api_urls")),
    path("api/v1/", include("casework.api_urls")),
    path("api/v1/", include("scheduling.api_urls")),
    path("api/v1/", include("steering.api_urls")),
    path("api/v1/", include("workbench.api_urls")),
    path("", include("casework.urls")),
    path("", include("scheduling.urls")),
    path("", include("steering.urls")),
    path("", include("workbench.urls")),
    path("", include("mda.urls")),
]


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_error(request, 404, "not_found", _("Not found."))
    return render(request, "404.html", status=404)


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_error(request, 500, "server_error", _("Something went wrong on our side."))
    return render(request, "500.html", status=500)


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_error(request, 403, "permission_denied", _("You may not do this."))
    return render(request, "403.html", status=403)


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_error(request, 400, "bad_request", _("The request is not valid."))
    return render(request, "400.html", status=400)
