from __future__ import annotations

from django.urls import path

from casework.api import agreements as agreements_api
from casework.api import register as api

urlpatterns = [
    path("cases/", api.CaseListView.as_view(), name="api-case-list"),
    path("cases/<uuid:case_id>/", api.CaseDetailView.as_view(), name="api-case-detail"),
    path("cases/<uuid:case_id>/participants/", api.ParticipantListView.as_view(),
         name="api-participant-list"),
    path("cases/<uuid:case_id>/participants/<uuid:participation_id>/revoke/",
         api.ParticipantRevokeView.as_view(), name="api-participant-revoke"),
    path("cases/<uuid:case_id>/notes/", api.NoteListView.as_view(), name="api-note-list"),
    path("cases/<uuid:case_id>/members/<uuid:member_id>/reveal/", api.RevealView.as_view(),
         name="api-member-reveal"),
    path("cases/<uuid:case_id>/access-log/", api.AccessLogView.as_view(),
         name="api-access-log"),
    path(
        "cases/<uuid:case_id>/agreements/",
        agreements_api.CaseAgreementListView.as_view(),
        name="api-case-agreement-list",
    ),
    path("agreements/", agreements_api.AgreementListView.as_view(), name="api-agreement-list"),
    path(
        "agreements/<uuid:agreement_id>/",
        agreements_api.AgreementDetailView.as_view(),
        name="api-agreement-detail",
    ),
    path(
        "agreements/<uuid:agreement_id>/resolve/",
        agreements_api.AgreementResolveView.as_view(),
        name="api-agreement-resolve",
    ),
    path(
        "agreements/<uuid:agreement_id>/reopen/",
        agreements_api.AgreementReopenView.as_view(),
        name="api-agreement-reopen",
    ),
]
