from __future__ import annotations

from django.urls import path

from workbench.api import cases

urlpatterns = [
    # GET finds cases, POST refers a household (casework's view)
    path("cases/", cases.CaseListView.as_view(), name="api-case-list"),
    path("cases/search/", cases.PersonSearchView.as_view(), name="api-case-person-search"),
]
