"""Signs of Safety readings: 0-10, dated, per perspective; the case page draws every perspective
as a line with the divergence between them shaded, and gives the same numbers as a table."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from casework import selectors, services
from casework.models import SafetyScore
from tests.casework.conftest import Scenario
from tests.casework.lifecycle_support import as_seen_by, move, shown
from tests.conftest import Cast


@pytest.fixture
def accepted(cast: Cast, scenario: Scenario) -> Any:
    return move(cast, scenario.case, "accept")


def _read(
    cast: Cast,
    case: Any,
    persona: str,
    value: int,
    on: date,
    perspective: str,
    member: str | None = None,
) -> SafetyScore:
    actor = cast.personas[persona].user
    return services.score_add(
        actor=actor,
        case=as_seen_by(cast, persona, case),
        value=value,
        scored_on=on,
        perspective=perspective,
        member=case.members.get(label=member) if member else None,
    )


def _three_perspectives(cast: Cast, case: Any) -> None:
    for month, (police, mother, child) in enumerate([(2, 7, 3), (4, 8, 5), (6, 8, 6)]):
        on = date(2026, 1 + 2 * month, 10)
        _read(cast, case, "police", police, on, "professional")
        _read(cast, case, "coordinator", mother, on, "parent", "moeder")
        _read(cast, case, "social", child, on, "child", "kind 1")


def test_the_case_page_draws_each_perspective_and_their_divergence(
    cast: Cast, accepted: Any, web: Any
) -> None:
    _three_perspectives(cast, accepted)
    html = web("coordinator").get(f"/cases/{accepted.pk}/").content.decode()
    svg = html[
        html.index('<svg class="scale__svg"') : html.index(
            "</svg>", html.index('<svg class="scale__svg"')
        )
    ]
    assert svg.count("<polyline") == 3
    assert 'class="scale__band"' in svg and 'role="img"' in svg
    # CSP: no inline script or style (scripts come from files: src=...)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and "style=" not in svg
    assert 'class="legend__band"' in html  # the legend explains the shaded divergence
    table = html[html.index('<table class="utrecht-table scale__table"') :]
    table = table[: table.index("</table>")]
    headers = re.findall(r'<th scope="col">([^<]+)</th>', table)
    assert headers[1:] == [
        "Politie Noord",
        f"moeder ({shown('Parent').lower()})",
        f"kind 1 ({shown('Child').lower()})",
        shown("Difference between perspectives"),
    ]
    assert re.findall(r"<td>(\d+)</td>", table) == [
        "2",
        "7",
        "3",
        "5",
        "4",
        "8",
        "5",
        "4",
        "6",
        "8",
        "6",
        "2",
    ]


def test_divergence_counts_each_perspective_s_latest_reading(cast: Cast, accepted: Any) -> None:
    _read(cast, accepted, "police", 3, date(2026, 1, 1), "professional")
    _read(cast, accepted, "coordinator", 9, date(2026, 2, 1), "network")
    chart = selectors.scale_chart(accepted)
    assert chart is not None
    assert [(r.on, r.spread) for r in chart.rows] == [
        (date(2026, 1, 1), None),
        (date(2026, 2, 1), 6),
    ]
    assert chart.band  # a band from the second date on


def test_level_one_partners_see_no_readings(cast: Cast, accepted: Any, web: Any, api: Any) -> None:
    _read(cast, accepted, "police", 3, date(2026, 1, 1), "professional")
    html = web("care").get(f"/cases/{accepted.pk}/").content.decode()
    assert "scale__svg" not in html and "Signs of Safety reading" not in html
    timeline = api("care").get(f"/api/v1/cases/{accepted.pk}/timeline/").json()
    assert "score" not in {e["kind"] for e in timeline}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"value": 11}, "value"),
        ({"scored_on": "FUTURE"}, "scored_on"),
        ({"perspective": "child", "member": "moeder"}, "member"),
        ({"perspective": "parent"}, "member"),
    ],
)
def test_a_wrong_reading_is_refused_per_field(
    changes: dict[str, Any], field: str, cast: Cast, accepted: Any, api: Any
) -> None:
    data: dict[str, Any] = {"value": 5, "scored_on": "2026-01-05", "perspective": "professional"}
    data.update(changes)
    if data["scored_on"] == "FUTURE":
        data["scored_on"] = (timezone.localdate() + timedelta(days=1)).isoformat()
    if "member" in data:
        data["member"] = str(accepted.members.get(label=data["member"]).pk)
    response = api("police").post(f"/api/v1/cases/{accepted.pk}/scores/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert SafetyScore.objects.count() == 0


def test_readings_wait_until_the_case_is_accepted(scenario: Scenario, api: Any) -> None:
    response = api("police").post(
        f"/api/v1/cases/{scenario.case.pk}/scores/",
        {"value": 5, "scored_on": "2026-01-05", "perspective": "network"},
        format="json",
    )
    assert response.status_code == 409


def test_a_reading_added_in_the_web_form_appears_on_the_case_page(
    cast: Cast, accepted: Any, web: Any
) -> None:
    client = web("police")
    response = client.post(
        f"/cases/{accepted.pk}/scores/new/",
        {
            "value": "4",
            "scored_on": "2026-01-05",
            "perspective": "professional",
            "organisation": "",
            "member": "",
        },
    )
    assert response.status_code == 302
    html = client.get(f"/cases/{accepted.pk}/").content.decode()
    assert "Politie Noord: <strong>4</strong>" in html
    bad = client.post(
        f"/cases/{accepted.pk}/scores/new/",
        {"value": "4", "scored_on": "2026-01-05", "perspective": "child", "member": ""},
    )
    assert bad.status_code == 400
    assert (
        shown("Choose the household member whose view this is.", html=True) in bad.content.decode()
    )
