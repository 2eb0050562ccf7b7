from __future__ import annotations

from django.urls import path

from mda import api

urlpatterns = [
    path("me/", api.MeView.as_view(), name="api-me"),
    path("organisations/", api.OrganisationListView.as_view(), name="api-organisation-list"),
    path(
        "organisations/<uuid:uuid>/",
        api.OrganisationDetailView.as_view(),
        name="api-organisation-detail",
    ),
    path("notifications/", api.NotificationListView.as_view(), name="api-notification-list"),
    path(
        "notifications/<uuid:uuid>/acknowledge/",
        api.NotificationAcknowledgeView.as_view(),
        name="api-notification-acknowledge",
    ),
]
