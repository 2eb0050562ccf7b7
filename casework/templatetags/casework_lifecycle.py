"""Template tags of the life of a case: the case page's lifecycle sections (the page belongs to
the case register, so its data comes in here rather than through that view) and menu items."""

from __future__ import annotations

from typing import Any

from django import template

from casework import access, selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def case_lifecycle(context: template.Context, case: Any) -> selectors.LifecycleView:
    """``{% case_lifecycle case as lc %}``: the case's life as the viewer may see it."""
    return selectors.lifecycle_view(actor=context["request"].user, case=case)


@register.inclusion_tag("casework/lifecycle/nav_items.html", takes_context=True)
def lifecycle_nav_items(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    return {
        "request": request,
        "can_refer": access.can_refer(user),
        "can_triage": access.can_triage(user),
    }
