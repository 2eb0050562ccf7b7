from __future__ import annotations

from django.urls import path

from mda import views

app_name = "mda"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("2fa/", views.two_factor_view, name="two_factor"),
    path("logout/", views.logout_view, name="logout"),
    path("notifications/", views.notification_list_view, name="notifications"),
    path(
        "notifications/<uuid:uuid>/acknowledge/",
        views.notification_acknowledge_view,
        name="notification-acknowledge",
    ),
]
