from __future__ import annotations

from django.urls import path

from casework.views import (
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
    triage,
)

app_name = "casework"

_C = "cases/<uuid:case_id>/"
_A = "agreements/<uuid:agreement_id>/"
_R = "privacy/subject-access/<uuid:request_id>/"
_I = "subject-access/reviews/<uuid:item_id>/"

urlpatterns = [
    # cases and their register
    path(_C, cases.case_detail_view, name="case-detail"),
    path(_C + "members/<uuid:member_id>/reveal/", cases.reveal_view, name="member-reveal"),
    path("privacy/cases/", cases.supervision_list_view, name="supervision-list"),
    path("privacy/cases/<uuid:case_id>/access-log/", cases.access_log_view, name="access-log"),
    # referral and triage
    path("cases/refer/", referral.refer_view, name="refer"),
    path(_C + "referral/", referral.referral_detail_view, name="referral"),
    path("triage/", triage.triage_queue_view, name="triage-queue"),
    # participation and notes
    path(_C + "participants/new/", participation.participant_add_view, name="participant-add"),
    path(
        _C + "participants/<uuid:participation_id>/revoke/",
        participation.participant_revoke_view,
        name="participant-revoke",
    ),
    path(
        _C + "participants/<uuid:participation_id>/change/",
        participation.participant_change_view,
        name="participant-change",
    ),
    path(_C + "notes/", notes.note_add_view, name="note-add"),
    # the life of a case
    path(_C + "transition/", lifecycle.transition_view, name="transition"),
    path(_C + "director/", lifecycle.director_view, name="director"),
    path(_C + "plan/", lifecycle.plan_view, name="plan"),
    path(_C + "safety-phase/", lifecycle.safety_phase_view, name="safety-phase"),
    path(_C + "check-ins/<uuid:check_in_id>/", lifecycle.check_in_view, name="check-in"),
    path("check-ins/", lifecycle.check_in_list_view, name="check-in-list"),
    path(_C + "scores/new/", scores.score_add_view, name="score-add"),
    path(
        _C + "risk-assessments/new/",
        risk.risk_assessment_add_view,
        name="risk-assessment-add",
    ),
    # agreements
    path("agreements/", agreements.my_agreements_view, name="my-agreements"),
    path(_A, agreements.agreement_detail_view, name="agreement-detail"),
    path(_A + "edit/", agreements.agreement_edit_view, name="agreement-edit"),
    path(_A + "resolve/", agreements.agreement_resolve_view, name="agreement-resolve"),
    path(_A + "reopen/", agreements.agreement_reopen_view, name="agreement-reopen"),
    path(_C + "agreements/new/", agreements.agreement_create_view, name="agreement-create"),
    # retention
    path(_C + "retention/", retention.retention_page_view, name="retention"),
    path(
        _C + "retention/holds/<uuid:hold_id>/release/",
        retention.legal_hold_release_view,
        name="legal-hold-release",
    ),
    path("privacy/destructions/", retention.destruction_records_view, name="destruction-records"),
    # the disclosure log
    path(
        "privacy/cases/<uuid:case_id>/disclosures/",
        disclosures.disclosure_log_view,
        name="disclosure-log",
    ),
    path("privacy/partners/", disclosures.partner_list_view, name="partner-list"),
    path(
        "privacy/partners/<uuid:organisation_id>/disclosures/",
        disclosures.partner_disclosure_view,
        name="partner-disclosures",
    ),
    # subject access
    path(
        "privacy/subject-access/",
        subject_access.subject_access_list_view,
        name="subject-access-list",
    ),
    path(
        _R,
        subject_access.subject_access_request_page,
        name="subject-access-request",
    ),
    path(
        _R + "release/",
        subject_access.subject_access_release_view,
        name="subject-access-release",
    ),
    path(_R + "report/", subject_access.subject_access_report_view, name="subject-access-report"),
    path(
        "subject-access/reviews/",
        subject_access.subject_access_reviews_view,
        name="subject-access-reviews",
    ),
    path(_I, subject_access.subject_access_review_page, name="subject-access-review"),
    path(
        _I + "confirm/", subject_access.subject_access_confirm_view, name="subject-access-confirm"
    ),
    path(
        _I + "withholdings/<uuid:withholding_id>/remove/",
        subject_access.withholding_remove_view,
        name="withholding-remove",
    ),
]
