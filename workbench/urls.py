from __future__ import annotations

from django.urls import path

from workbench.views import cases, today

app_name = "workbench"

urlpatterns = [
    path("", today.today_view, name="today"),
    path("cases/", cases.case_list_view, name="case-list"),
    path("cases/find-person/", cases.person_search_view, name="person-search"),
]
