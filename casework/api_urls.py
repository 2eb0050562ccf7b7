from __future__ import annotations

from django.urls import path

from casework.api import (
    agreements,
    cases,
    disclosures,
    lifecycle,
    notes,
    participation,
    referral,
    retention,
    risk,
    scores,
    subject_access,
    timeline,
    triage,
)

_C = "cases/<uuid:case_id>/"
_A = "agreements/<uuid:agreement_id>/"
_S = "subject-access/<uuid:request_id>/"
_R = "subject-access/reviews/<uuid:item_id>/"

urlpatterns = [
    # cases (POST /cases/ refers: routed by the workbench, which also lists them), their
    # register and the access log
    path(_C, cases.CaseDetailView.as_view(), name="api-case-detail"),
    path(
        _C + "members/<uuid:member_id>/reveal/",
        cases.RevealView.as_view(),
        name="api-member-reveal",
    ),
    path(_C + "access-log/", cases.AccessLogView.as_view(), name="api-access-log"),
    path(_C + "reveals/", cases.RevealLogView.as_view(), name="api-reveal-log"),
    path(_C + "disclosures/", disclosures.DisclosureLogView.as_view(), name="api-disclosure-log"),
    # triage
    path("triage/", triage.TriageQueueView.as_view(), name="api-triage-queue"),
    # participation and notes
    path(
        _C + "participants/",
        participation.ParticipantListView.as_view(),
        name="api-participant-list",
    ),
    path(
        _C + "participants/suggestions/",
        participation.ParticipantSuggestionsView.as_view(),
        name="api-participant-suggestions",
    ),
    path(
        _C + "participants/<uuid:participation_id>/revoke/",
        participation.ParticipantRevokeView.as_view(),
        name="api-participant-revoke",
    ),
    path(
        _C + "participants/<uuid:participation_id>/supersede/",
        participation.ParticipantSupersedeView.as_view(),
        name="api-participant-supersede",
    ),
    path(_C + "referral/", referral.ReferralDetailView.as_view(), name="api-case-referral"),
    path(_C + "notes/", notes.NoteListView.as_view(), name="api-note-list"),
    # the life of a case
    path("lifecycle/", lifecycle.LifecycleTableView.as_view(), name="api-lifecycle-table"),
    path("check-ins/", lifecycle.CheckInTaskListView.as_view(), name="api-check-in-list"),
    path(_C + "lifecycle/", lifecycle.LifecycleView.as_view(), name="api-case-lifecycle"),
    path(
        _C + "transitions/",
        lifecycle.TransitionListView.as_view(),
        name="api-case-transitions",
    ),
    path(_C + "timeline/", timeline.TimelineView.as_view(), name="api-case-timeline"),
    path(_C + "director/", lifecycle.DirectorView.as_view(), name="api-case-director"),
    path(_C + "plan/", lifecycle.PlanView.as_view(), name="api-case-plan"),
    path(
        _C + "safety-phase/",
        lifecycle.SafetyPhaseView.as_view(),
        name="api-case-safety-phase",
    ),
    path(
        _C + "check-ins/<uuid:check_in_id>/complete/",
        lifecycle.CheckInCompleteView.as_view(),
        name="api-check-in-complete",
    ),
    path(_C + "scores/", scores.ScoreListView.as_view(), name="api-case-scores"),
    path(
        _C + "risk-assessments/",
        risk.RiskAssessmentListView.as_view(),
        name="api-case-risk-assessments",
    ),
    # agreements
    path(
        _C + "agreements/",
        agreements.CaseAgreementListView.as_view(),
        name="api-case-agreement-list",
    ),
    path("agreements/", agreements.AgreementListView.as_view(), name="api-agreement-list"),
    path(_A, agreements.AgreementDetailView.as_view(), name="api-agreement-detail"),
    path(_A + "resolve/", agreements.AgreementResolveView.as_view(), name="api-agreement-resolve"),
    path(_A + "reopen/", agreements.AgreementReopenView.as_view(), name="api-agreement-reopen"),
    # retention
    path(_C + "retention/", retention.RetentionView.as_view(), name="api-case-retention"),
    path(_C + "legal-holds/", retention.LegalHoldListView.as_view(), name="api-legal-hold-list"),
    path(
        _C + "legal-holds/<uuid:hold_id>/release/",
        retention.LegalHoldReleaseView.as_view(),
        name="api-legal-hold-release",
    ),
    path(
        "destructions/",
        retention.DestructionRecordListView.as_view(),
        name="api-destruction-records",
    ),
    # subject access: the privacy officer's requests and the coordinators' reviews
    path(
        "subject-access/",
        subject_access.SubjectAccessListView.as_view(),
        name="api-subject-access-list",
    ),
    path(
        "subject-access/reviews/",
        subject_access.ReviewListView.as_view(),
        name="api-subject-access-reviews",
    ),
    path(_S, subject_access.SubjectAccessDetailView.as_view(), name="api-subject-access-detail"),
    path(
        _S + "release/",
        subject_access.SubjectAccessReleaseView.as_view(),
        name="api-subject-access-release",
    ),
    path(
        _S + "report/",
        subject_access.SubjectAccessReportView.as_view(),
        name="api-subject-access-report",
    ),
    path(_R, subject_access.ReviewDetailView.as_view(), name="api-subject-access-review"),
    path(
        _R + "withholdings/",
        subject_access.WithholdingListView.as_view(),
        name="api-subject-access-withholdings",
    ),
    path(
        _R + "withholdings/<uuid:withholding_id>/",
        subject_access.WithholdingDetailView.as_view(),
        name="api-subject-access-withholding",
    ),
    path(
        _R + "confirm/",
        subject_access.ReviewConfirmView.as_view(),
        name="api-subject-access-confirm",
    ),
]
