from __future__ import annotations

from django.urls import path

from casework.api import agreements as agreements_api
from casework.api import lifecycle as lifecycle_api
from casework.api import register as api

urlpatterns = [
    path("cases/", api.CaseListView.as_view(), name="api-case-list"),
    path("cases/<uuid:case_id>/", api.CaseDetailView.as_view(), name="api-case-detail"),
    path(
        "cases/<uuid:case_id>/participants/",
        api.ParticipantListView.as_view(),
        name="api-participant-list",
    ),
    path(
        "cases/<uuid:case_id>/participants/<uuid:participation_id>/revoke/",
        api.ParticipantRevokeView.as_view(),
        name="api-participant-revoke",
    ),
    path("cases/<uuid:case_id>/notes/", api.NoteListView.as_view(), name="api-note-list"),
    path(
        "cases/<uuid:case_id>/members/<uuid:member_id>/reveal/",
        api.RevealView.as_view(),
        name="api-member-reveal",
    ),
    path("cases/<uuid:case_id>/access-log/", api.AccessLogView.as_view(), name="api-access-log"),
    path("cases/<uuid:case_id>/reveals/", api.RevealLogView.as_view(), name="api-reveal-log"),
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

# --- The life of a case (issue 4) ---

urlpatterns += [
    path("lifecycle/", lifecycle_api.LifecycleTableView.as_view(), name="api-lifecycle-table"),
    path("triage/", lifecycle_api.TriageQueueView.as_view(), name="api-triage-queue"),
    path("check-ins/", lifecycle_api.CheckInTaskListView.as_view(), name="api-check-in-list"),
    path(
        "cases/<uuid:case_id>/lifecycle/",
        lifecycle_api.LifecycleView.as_view(),
        name="api-case-lifecycle",
    ),
    path(
        "cases/<uuid:case_id>/transitions/",
        lifecycle_api.TransitionListView.as_view(),
        name="api-case-transitions",
    ),
    path(
        "cases/<uuid:case_id>/timeline/",
        lifecycle_api.TimelineView.as_view(),
        name="api-case-timeline",
    ),
    path(
        "cases/<uuid:case_id>/director/",
        lifecycle_api.DirectorView.as_view(),
        name="api-case-director",
    ),
    path("cases/<uuid:case_id>/plan/", lifecycle_api.PlanView.as_view(), name="api-case-plan"),
    path(
        "cases/<uuid:case_id>/safety-phase/",
        lifecycle_api.SafetyPhaseView.as_view(),
        name="api-case-safety-phase",
    ),
    path(
        "cases/<uuid:case_id>/check-ins/<uuid:check_in_id>/complete/",
        lifecycle_api.CheckInCompleteView.as_view(),
        name="api-check-in-complete",
    ),
    path(
        "cases/<uuid:case_id>/scores/",
        lifecycle_api.ScoreListView.as_view(),
        name="api-case-scores",
    ),
]
