from __future__ import annotations

from django.urls import path

from steering import views

app_name = "steering"

urlpatterns = [
    path("figures/", views.dashboard_view, name="dashboard"),
    path("figures/export.csv", views.export_view, name="export"),
]
