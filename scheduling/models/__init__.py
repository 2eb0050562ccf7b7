"""Models of scheduling, one module per subject: ``meetings`` (series and meetings), ``agendas``,
``invitations``, ``minutes``, ``contributions`` (partners' contributions before a meeting) and
``escalation`` (the regional ladder and the notices sent up it)."""

from scheduling.models.agendas import AgendaItem, ItemReason
from scheduling.models.contributions import Contribution, ContributionStatus
from scheduling.models.escalation import (
    EscalationNotice,
    EscalationRecipient,
    Ladder,
    NoticeStatus,
    OrganisationScope,
    Rung,
)
from scheduling.models.invitations import (
    CalendarFeed,
    Invitation,
    InvitationLine,
    InvitationMessage,
    InvitationMethod,
    InvitationResponse,
)
from scheduling.models.meetings import (
    AgendaStatus,
    HolidayRule,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    MeetingType,
    Weekday,
)
from scheduling.models.minutes import (
    Attendance,
    AttendanceStatus,
    ItemMinutes,
    MinutesDraft,
    SlotAttendance,
)

__all__ = [
    "AgendaItem",
    "AgendaStatus",
    "Attendance",
    "AttendanceStatus",
    "CalendarFeed",
    "Contribution",
    "ContributionStatus",
    "EscalationNotice",
    "EscalationRecipient",
    "HolidayRule",
    "Invitation",
    "InvitationLine",
    "InvitationMessage",
    "InvitationMethod",
    "InvitationResponse",
    "ItemMinutes",
    "ItemReason",
    "Ladder",
    "Meeting",
    "MeetingSeries",
    "MeetingStatus",
    "MeetingType",
    "MinutesDraft",
    "NoticeStatus",
    "OrganisationScope",
    "Rung",
    "SlotAttendance",
    "Weekday",
]
