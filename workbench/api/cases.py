"""API of the case list: find cases (search, filters, sort) and, for coordinators, the cases of a
person by BSN or name and date of birth."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from casework import access as case_access
from casework import selectors as case_selectors
from casework.api.cases import CaseReferView
from casework.forms import CaseFilterForm, PersonSearchForm
from casework.models import AccessLevel, CaseStatus, SafetyPhase
from casework.selectors.cases import CaseRow, CaseSort
from mda.access import has_several_regions, organisations_visible_to, regions_of
from mda.http import ActorAPIView
from mda.pagination import DEFAULT_SIZE, MAX_SIZE, KeysetPagination
from workbench.selectors.cases import case_list_rows


class PersonRefSerializer(serializers.Serializer):
    name = serializers.CharField()
    organisation = serializers.CharField(allow_null=True)


class NextMeetingSerializer(serializers.Serializer):
    meeting = serializers.UUIDField(source="meeting_id")
    starts_at = serializers.DateTimeField(help_text="When the case's slot starts.")
    kind = serializers.CharField(source="meeting.kind")


class CaseRowSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="case.id")
    reference = serializers.CharField(source="case.reference")
    region = serializers.CharField(source="case.region.slug")
    access_level = serializers.IntegerField(source="level")
    status = serializers.ChoiceField(
        source="case.status", choices=CaseStatus.choices, required=False, help_text="Level 1+."
    )
    safety_phase = serializers.ChoiceField(
        source="case.safety_phase",
        choices=SafetyPhase.choices,
        allow_null=True,
        required=False,
        help_text="Level 1+.",
    )
    created_at = serializers.DateTimeField(source="case.created_at", required=False)
    case_director = PersonRefSerializer(
        source="director",
        required=False,
        allow_null=True,
        help_text="Level 1+: name and organisation.",
    )
    next_meeting = NextMeetingSerializer(
        required=False, allow_null=True, help_text="The next slot you may see; level 1+."
    )
    overdue_agreements = serializers.IntegerField(
        help_text="Open agreements past their due date, of those you may see."
    )

    def to_representation(self, row: CaseRow) -> dict[str, Any]:
        data = super().to_representation(row)
        if row.level < AccessLevel.PROCESS:
            for key in ("status", "safety_phase", "created_at", "case_director", "next_meeting"):
                data.pop(key, None)
        return data


FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="A reference or its number (MDA-2026-0042, 42)."),
    OpenApiParameter("status", str, many=True, enum=CaseStatus.values, description="Level 1+."),
    OpenApiParameter("safety_phase", int, many=True, enum=SafetyPhase.values),
    OpenApiParameter(
        "director_organisation", str, description="UUID of the case director's organisation."
    ),
    OpenApiParameter("overdue", bool, description="Only cases with overdue agreements you see."),
    OpenApiParameter("mine", bool, description="Only cases of your organisations."),
    OpenApiParameter("region", str, description="Region slug (users of several regions)."),
    OpenApiParameter("sort", str, enum=CaseSort.values, description="Default: newest."),
    OpenApiParameter("cursor", str, description="From a next or previous link."),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": MAX_SIZE},
        description=f"Rows per page, 1 to {MAX_SIZE} (default {DEFAULT_SIZE}).",
    ),
]


class CaseListView(CaseReferView):
    """GET finds cases; POST (from casework) refers a household."""

    pagination_class = KeysetPagination

    @extend_schema(
        parameters=FILTER_PARAMETERS,
        responses=CaseRowSerializer(many=True),
        summary="Find cases",
        description="The cases you may see, searched, filtered and sorted. Filters on status, "
        "safety phase and case director match only cases you see at level 1 or more; a case "
        "you may not see is never found or counted. Unknown filter values answer 400.",
    )
    def get(self, request: Request) -> Response:
        form = CaseFilterForm(
            _query(request),
            organisations=organisations_visible_to(self.actor),
            regions=regions_of(self.actor),
            several_regions=has_several_regions(self.actor),
        )
        if not form.is_valid():
            raise _invalid(form)
        cases = case_selectors.case_find(actor=self.actor, filters=form.filters())
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(cases, request, view=self)
        rows = case_list_rows(actor=self.actor, cases=page or [])
        return paginator.get_paginated_response(_serialise(rows))


def _query(request: Request) -> Any:
    query = request.query_params.copy()
    for flag in ("overdue", "mine"):
        if query.get(flag, "").lower() in {"false", "0", "no"}:
            query.pop(flag)
    return query


def _serialise(rows: list[CaseRow]) -> Any:
    return CaseRowSerializer(rows, many=True).data


def _invalid(form: Any) -> serializers.ValidationError:
    return serializers.ValidationError(
        {name: [str(e) for e in errors] for name, errors in form.errors.items()}
    )


class PersonSearchSerializer(serializers.Serializer):
    bsn = serializers.CharField(required=False, allow_blank=True)
    name = serializers.CharField(required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)


class PersonSearchView(ActorAPIView):
    @extend_schema(
        request=PersonSearchSerializer,
        responses=CaseRowSerializer(many=True),
        summary="Find the cases of a person (coordinators)",
        description="An exact BSN, or full name and date of birth, compared through the blind "
        "index: nothing is decrypted. Only the cases of the regions you coordinate; the search "
        "is recorded in the audit trail (how you searched and how many cases were found, never "
        "the BSN or the name). Sent as a POST body so a BSN stays out of addresses and logs.",
    )
    def post(self, request: Request) -> Response:
        if not case_access.can_triage(self.actor):
            raise PermissionDenied
        body = PersonSearchSerializer(data=request.data)
        body.is_valid(raise_exception=True)  # a list or an object where text belongs: 400
        form = PersonSearchForm({k: v for k, v in body.validated_data.items() if v is not None})
        if not form.is_valid():
            raise _invalid(form)
        cases = case_selectors.case_search_identity(actor=self.actor, **form.cleaned_data)
        rows = case_list_rows(actor=self.actor, cases=cases[:200])
        return Response(_serialise(rows))
