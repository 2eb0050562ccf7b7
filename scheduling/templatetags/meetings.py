"""``{% case_meetings_section %}``: a case's upcoming meetings and readable minutes on the case
page, as far as the viewer may see them (both from the access policy)."""

from __future__ import annotations

from typing import Any

from django import template

from casework.models import AccessLevel

register = template.Library()


@register.inclusion_tag("scheduling/meetings/case_section_body.html", takes_context=True)
def case_meetings_section(context: Any) -> dict[str, Any]:
    from scheduling.selectors import case_meetings

    case, user = context["case"], context["request"].user
    if case.access_level < AccessLevel.PROCESS:
        return {"visible": False}
    return {
        "visible": True,
        "case": case,
        "as_coordinator": case.as_coordinator,
        "meetings": case_meetings(actor=user, case=case),
    }
