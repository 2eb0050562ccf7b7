from __future__ import annotations

from django.urls import path

from scheduling.views import (
    agendas,
    contributions,
    escalation,
    invitations,
    meetings,
    minutes,
    packs,
)

app_name = "scheduling"

_M = "meetings/<uuid:meeting_id>/"
_I = _M + "items/<uuid:item_id>/"
_S = "meetings/series/<uuid:series_id>/"
_E = "escalations/<uuid:notice_id>/"

urlpatterns = [
    # series and meetings
    path("meetings/", meetings.meeting_index_view, name="meeting-index"),
    path("meetings/week/", meetings.week_view, name="meeting-week"),
    path("meetings/mine/", meetings.my_meetings_view, name="my-meetings"),
    path("meetings/series/", meetings.series_list_view, name="series-list"),
    path("meetings/series/new/", meetings.series_create_view, name="series-create"),
    path(_S, meetings.series_edit_view, name="series-edit"),
    path(_S + "generate/", meetings.series_generate_view, name="series-generate"),
    path(
        "cases/<uuid:case_id>/emergency-meeting/",
        meetings.emergency_view,
        name="emergency-meeting",
    ),
    path(_M, meetings.meeting_detail_view, name="meeting-detail"),
    path(_M + "change/", meetings.meeting_update_view, name="meeting-update"),
    path(_M + "cancel/", meetings.meeting_cancel_view, name="meeting-cancel"),
    # agendas
    path(_M + "publish/", agendas.agenda_publish_view, name="agenda-publish"),
    path(_M + "items/", agendas.agenda_add_view, name="agenda-add"),
    path(_M + "items/chosen/", agendas.agenda_add_chosen_view, name="agenda-add-chosen"),
    path(_I, agendas.agenda_item_update_view, name="agenda-item-update"),
    path(_I + "move/", agendas.agenda_item_move_view, name="agenda-item-move"),
    path(_I + "remove/", agendas.agenda_item_remove_view, name="agenda-item-remove"),
    # invitations and calendars
    path(_I + "response/", invitations.response_view, name="meeting-response"),
    path(_M + "calendar.ics", invitations.meeting_ics_view, name="meeting-ics"),
    path("meetings/calendar-feed/", invitations.calendar_feed_view, name="calendar-feed"),
    path("calendar/<str:token>.ics", invitations.calendar_feed_ics_view, name="calendar-feed-ics"),
    # partner contributions before the information deadline
    path(
        _I + "contributions/",
        contributions.item_contributions_view,
        name="item-contributions",
    ),
    # the meeting day and its minutes
    path(_M + "run/", minutes.meeting_run_view, name="meeting-run"),
    path(_M + "confidentiality/", minutes.confidentiality_view, name="meeting-confidentiality"),
    path(_M + "attendance/", minutes.attendance_view, name="meeting-attendance"),
    path(_I + "minutes/", minutes.item_minutes_view, name="item-minutes"),
    path(_I + "minutes/draft/", minutes.minutes_draft_view, name="item-minutes-draft"),
    path(_I + "agreements/", minutes.minutes_agreement_add_view, name="minutes-agreement-add"),
    path(
        _I + "agreements/<uuid:agreement_id>/review/",
        minutes.minutes_agreement_review_view,
        name="minutes-agreement-review",
    ),
    path(_M + "minutes/publish/", minutes.minutes_publish_view, name="minutes-publish"),
    # print: the meeting pack and the minutes per reader; invitations and answers
    path(_M + "pack/", packs.pack_print_view, name="meeting-pack"),
    path(_M + "pack.pdf", packs.pack_pdf_view, name="meeting-pack-pdf"),
    path(_M + "minutes/print/", packs.minutes_print_view, name="minutes-print"),
    path(_M + "minutes.pdf", packs.minutes_pdf_view, name="minutes-pdf"),
    path(_M + "invitations/", packs.invitation_overview_view, name="invitation-overview"),
    # escalation
    path("escalations/", escalation.escalation_list_view, name="escalation-list"),
    path(_E, escalation.escalation_detail_view, name="escalation-detail"),
    path(
        _E + "acknowledge/",
        escalation.escalation_acknowledge_view,
        name="escalation-acknowledge",
    ),
    path(
        "cases/<uuid:case_id>/escalate/",
        escalation.escalation_raise_view,
        name="escalation-raise",
    ),
    path(
        "overview/agreements/",
        escalation.region_overview_index_view,
        name="region-overview-index",
    ),
    path(
        "regions/<slug:region_slug>/agreements/",
        escalation.region_overview_view,
        name="region-overview",
    ),
    path("ladders/", escalation.ladder_list_view, name="ladder-list"),
]
