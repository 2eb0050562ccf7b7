from __future__ import annotations

from django.urls import path

from casework.views import agreements as agreement_views
from casework.views import register as views

app_name = "casework"

urlpatterns = [
    path("cases/", views.case_list_view, name="case-list"),
    path("cases/<uuid:case_id>/", views.case_detail_view, name="case-detail"),
    path("cases/<uuid:case_id>/notes/", views.note_add_view, name="note-add"),
    path(
        "cases/<uuid:case_id>/participants/new/", views.participant_add_view, name="participant-add"
    ),
    path(
        "cases/<uuid:case_id>/participants/<uuid:participation_id>/revoke/",
        views.participant_revoke_view,
        name="participant-revoke",
    ),
    path(
        "cases/<uuid:case_id>/members/<uuid:member_id>/reveal/",
        views.reveal_view,
        name="member-reveal",
    ),
    path("privacy/cases/", views.supervision_list_view, name="supervision-list"),
    path("privacy/cases/<uuid:case_id>/access-log/", views.access_log_view, name="access-log"),
    path("agreements/", agreement_views.my_agreements_view, name="my-agreements"),
    path(
        "agreements/<uuid:agreement_id>/",
        agreement_views.agreement_detail_view,
        name="agreement-detail",
    ),
    path(
        "agreements/<uuid:agreement_id>/edit/",
        agreement_views.agreement_edit_view,
        name="agreement-edit",
    ),
    path(
        "agreements/<uuid:agreement_id>/resolve/",
        agreement_views.agreement_resolve_view,
        name="agreement-resolve",
    ),
    path(
        "agreements/<uuid:agreement_id>/reopen/",
        agreement_views.agreement_reopen_view,
        name="agreement-reopen",
    ),
    path(
        "cases/<uuid:case_id>/agreements/new/",
        agreement_views.agreement_create_view,
        name="agreement-create",
    ),
]

# --- The life of a case (issue 4) ---
from casework.views import lifecycle as lifecycle_views  # noqa: E402

urlpatterns += [
    path("cases/refer/", lifecycle_views.refer_view, name="refer"),
    path("triage/", lifecycle_views.triage_queue_view, name="triage-queue"),
    path("check-ins/", lifecycle_views.check_in_list_view, name="check-in-list"),
    path("cases/<uuid:case_id>/transition/", lifecycle_views.transition_view, name="transition"),
    path("cases/<uuid:case_id>/director/", lifecycle_views.director_view, name="director"),
    path("cases/<uuid:case_id>/plan/", lifecycle_views.plan_view, name="plan"),
    path(
        "cases/<uuid:case_id>/safety-phase/", lifecycle_views.safety_phase_view, name="safety-phase"
    ),
    path("cases/<uuid:case_id>/scores/new/", lifecycle_views.score_add_view, name="score-add"),
    path(
        "cases/<uuid:case_id>/check-ins/<uuid:check_in_id>/",
        lifecycle_views.check_in_view,
        name="check-in",
    ),
]
