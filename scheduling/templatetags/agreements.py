"""``{% case_agreements_section %}``: the agreements and escalation history on the case page,
as far as the viewer may see them (both lists come from the access policy)."""

from __future__ import annotations

from typing import Any

from django import template

from casework.models import AccessLevel

register = template.Library()


@register.inclusion_tag("casework/agreements/case_section_body.html", takes_context=True)
def case_agreements_section(context: Any) -> dict[str, Any]:
    from casework import selectors as casework_selectors
    from scheduling import selectors

    case, user = context["case"], context["request"].user
    if case.access_level < AccessLevel.PROCESS:
        return {"visible": False}
    return {
        "visible": True,
        "case": case,
        "as_coordinator": case.as_coordinator,
        "agreements": casework_selectors.agreements_for_case(actor=user, case=case),
        "history": selectors.escalation_history(actor=user, case=case),
    }
