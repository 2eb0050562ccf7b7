from __future__ import annotations

from django.urls import path

from steering import api

urlpatterns = [
    path("figures/", api.FigureRegionListView.as_view(), name="api-figures-regions"),
    path("figures/<slug:region_slug>/", api.FigureRegionView.as_view(), name="api-figures-region"),
]
