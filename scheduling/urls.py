from __future__ import annotations

from django.urls import path

from scheduling.views import escalation as views

app_name = "scheduling"

urlpatterns = [
    path("escalations/", views.escalation_list_view, name="escalation-list"),
    path("escalations/<uuid:notice_id>/", views.escalation_detail_view, name="escalation-detail"),
    path(
        "escalations/<uuid:notice_id>/acknowledge/",
        views.escalation_acknowledge_view,
        name="escalation-acknowledge",
    ),
    path("cases/<uuid:case_id>/escalate/", views.escalation_raise_view, name="escalation-raise"),
    path("overview/agreements/", views.region_overview_index_view, name="region-overview-index"),
    path(
        "regions/<slug:region_slug>/agreements/",
        views.region_overview_view,
        name="region-overview",
    ),
    path("ladders/", views.ladder_list_view, name="ladder-list"),
]

# --- Meetings (issue 5) ---
from scheduling.views import meeting_series as series_views  # noqa: E402
from scheduling.views import meetings as meeting_views  # noqa: E402
from scheduling.views import minutes as minutes_views  # noqa: E402

_M = "meetings/<uuid:meeting_id>/"
_I = _M + "items/<uuid:item_id>/"

urlpatterns += [
    path("meetings/", meeting_views.meeting_index_view, name="meeting-index"),
    path("meetings/week/", meeting_views.week_view, name="meeting-week"),
    path("meetings/mine/", meeting_views.my_meetings_view, name="my-meetings"),
    path("meetings/calendar-feed/", meeting_views.calendar_feed_view, name="calendar-feed"),
    path(
        "calendar/<str:token>.ics", meeting_views.calendar_feed_ics_view, name="calendar-feed-ics"
    ),
    path("meetings/series/", series_views.series_list_view, name="series-list"),
    path("meetings/series/new/", series_views.series_create_view, name="series-create"),
    path("meetings/series/<uuid:series_id>/", series_views.series_edit_view, name="series-edit"),
    path(
        "meetings/series/<uuid:series_id>/generate/",
        series_views.series_generate_view,
        name="series-generate",
    ),
    path(
        "cases/<uuid:case_id>/emergency-meeting/",
        series_views.emergency_view,
        name="emergency-meeting",
    ),
    path(_M, meeting_views.meeting_detail_view, name="meeting-detail"),
    path(_M + "calendar.ics", meeting_views.meeting_ics_view, name="meeting-ics"),
    path(_M + "change/", meeting_views.meeting_update_view, name="meeting-update"),
    path(_M + "cancel/", meeting_views.meeting_cancel_view, name="meeting-cancel"),
    path(_M + "publish/", meeting_views.agenda_publish_view, name="agenda-publish"),
    path(_M + "items/", meeting_views.agenda_add_view, name="agenda-add"),
    path(_I, meeting_views.agenda_item_update_view, name="agenda-item-update"),
    path(_I + "move/", meeting_views.agenda_item_move_view, name="agenda-item-move"),
    path(_I + "remove/", meeting_views.agenda_item_remove_view, name="agenda-item-remove"),
    path(_I + "response/", meeting_views.response_view, name="meeting-response"),
    path(_I + "minutes/", minutes_views.item_minutes_view, name="item-minutes"),
    path(
        _I + "agreements/", minutes_views.minutes_agreement_add_view, name="minutes-agreement-add"
    ),
    path(
        _I + "agreements/<uuid:agreement_id>/review/",
        minutes_views.minutes_agreement_review_view,
        name="minutes-agreement-review",
    ),
    path(_M + "run/", minutes_views.meeting_run_view, name="meeting-run"),
    path(
        _M + "confidentiality/", minutes_views.confidentiality_view, name="meeting-confidentiality"
    ),
    path(_M + "attendance/", minutes_views.attendance_view, name="meeting-attendance"),
    path(_M + "minutes/publish/", minutes_views.minutes_publish_view, name="minutes-publish"),
]
