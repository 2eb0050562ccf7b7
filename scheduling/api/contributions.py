"""API of partner contributions: the contributions of a slot you may read (keyset pages), your
organisation's own (read and save until the information deadline), and per slot of an agenda which
organisations have contributed."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from casework.models import NoteVisibility
from mda.http import ActorAPIView, ActorListAPIView
from mda.models import Organisation
from mda.pagination import KeysetPagination
from scheduling import access, selectors
from scheduling.models import AgendaItem, ContributionStatus
from scheduling.services import contributions


class ContributionSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="contribution.pk")
    organisation = serializers.UUIDField(source="contribution.organisation.uuid")
    organisation_name = serializers.CharField(source="contribution.organisation.name")
    own = serializers.BooleanField(help_text="Written by your organisation.")
    status = serializers.ChoiceField(
        source="contribution.status",
        choices=ContributionStatus.choices,
        help_text="Others' contributions are shown only once submitted.",
    )
    visibility = serializers.ChoiceField(
        source="contribution.visibility", choices=NoteVisibility.choices
    )
    submitted_at = serializers.DateTimeField(source="contribution.submitted_at", allow_null=True)
    updated_at = serializers.DateTimeField(source="contribution.updated_at")
    known_since = serializers.CharField(help_text="What it knows since the last meeting.")
    involvement = serializers.CharField(help_text="Its current involvement.")
    risks = serializers.CharField(help_text="Risks and concerns.")
    proposals = serializers.CharField()


class ContributionWriteSerializer(serializers.Serializer):
    organisation = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Needed only when you work for several invited organisations.",
    )
    known_since = serializers.CharField(
        max_length=contributions.MAX_TEXT, allow_blank=True, default=""
    )
    involvement = serializers.CharField(
        max_length=contributions.MAX_TEXT, allow_blank=True, default=""
    )
    risks = serializers.CharField(max_length=contributions.MAX_TEXT, allow_blank=True, default="")
    proposals = serializers.CharField(
        max_length=contributions.MAX_TEXT, allow_blank=True, default=""
    )
    visibility = serializers.ChoiceField(
        choices=NoteVisibility.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="Default: your domain only for justice organisations, else all participants "
        "at level 2.",
    )
    status = serializers.ChoiceField(
        choices=ContributionStatus.choices, help_text="draft: only your organisation reads it."
    )


class SlotContributionsSerializer(serializers.Serializer):
    item = serializers.UUIDField()
    reference = serializers.CharField()
    submitted = serializers.ListField(
        child=serializers.CharField(), help_text="Organisations that submitted."
    )
    invited = serializers.IntegerField(help_text="Organisations invited for this case.")
    own_status = serializers.ChoiceField(
        choices=ContributionStatus.choices,
        allow_null=True,
        help_text="Your organisation's contribution (null: none yet).",
    )
    may_contribute = serializers.BooleanField()
    deadline = serializers.DateTimeField(allow_null=True)


def _item(actor: Any, meeting_id: Any, item_id: Any) -> AgendaItem:
    meeting = access.access_meeting(actor, meeting_id)
    return access.access_agenda_item(actor, meeting, item_id)


class ContributionListView(ActorListAPIView):
    """The contributions of one slot you may read: your organisation's own (draft or submitted),
    and others' submitted ones at level 2, per their visibility. Each read is recorded."""

    serializer_class = ContributionSerializer
    pagination_class = KeysetPagination

    def get_queryset(self) -> Any:
        item = _item(self.actor, self.kwargs["meeting_id"], self.kwargs["item_id"])
        return (
            access.contributions_visible_to(self.actor)
            .filter(item=item)
            .select_related("organisation", "case__data_key", "case__region")
            .order_by("created_at")
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        views = selectors.contribution_views(actor=self.actor, contributions=page or [])
        return self.get_paginated_response(ContributionSerializer(views, many=True).data)


def _organisation(actor: Any, item: AgendaItem, uuid: Any) -> Organisation | None:
    if uuid is None:
        return None
    found = access.organisations_contributing_for(actor, item).filter(uuid=uuid).first()
    if found is None:
        raise serializers.ValidationError(
            {"organisation": [_("Choose an organisation of yours that is invited for this case.")]}
        )
    return found


class OwnContributionView(ActorAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "organisation", OpenApiTypes.UUID, description="When you work for several."
            )
        ],
        responses=ContributionSerializer,
        summary="Your organisation's contribution to one slot (404 when none yet)",
    )
    def get(self, request: Request, meeting_id: Any, item_id: Any) -> Response:
        item = _item(self.actor, meeting_id, item_id)
        organisation = contributions.contributing_organisation(
            self.actor,
            item,
            _organisation(self.actor, item, request.query_params.get("organisation")),
        )
        return Response(ContributionSerializer(self._own(item, organisation)).data)

    def _own(self, item: AgendaItem, organisation: Organisation) -> Any:
        for view in selectors.contributions_for_item(actor=self.actor, item=item):
            if view.contribution.organisation_id == organisation.pk:
                return view
        raise Http404

    @extend_schema(
        request=ContributionWriteSerializer,
        responses=ContributionSerializer,
        summary="Save (draft) or submit your organisation's contribution, until the deadline",
    )
    def put(self, request: Request, meeting_id: Any, item_id: Any) -> Response:
        item = _item(self.actor, meeting_id, item_id)
        serializer = ContributionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        saved = contributions.contribution_save(
            actor=self.actor,
            item=item,
            organisation=_organisation(self.actor, item, data["organisation"]),
            text=contributions.ContributionText(
                known_since=data["known_since"],
                involvement=data["involvement"],
                risks=data["risks"],
                proposals=data["proposals"],
            ),
            visibility=data["visibility"],
            submit=data["status"] == ContributionStatus.SUBMITTED,
        )
        return Response(ContributionSerializer(self._own(item, saved.organisation)).data)


class AgendaContributionsView(ActorAPIView):
    @extend_schema(
        responses=SlotContributionsSerializer(many=True),
        summary="Per slot you may see: which invited organisations have contributed",
    )
    def get(self, request: Request, meeting_id: Any) -> Response:
        meeting = access.access_meeting(self.actor, meeting_id)
        items = list(selectors.visible_items(actor=self.actor, meeting=meeting))
        slots = selectors.agenda_contributions(actor=self.actor, items=items)
        rows = [
            {
                "item": item.pk,
                "reference": item.case.reference,
                "submitted": slots[item.pk].submitted,
                "invited": slots[item.pk].invited,
                "own_status": slots[item.pk].own_status,
                "may_contribute": slots[item.pk].may_contribute,
                "deadline": slots[item.pk].deadline,
            }
            for item in items
        ]
        return Response(SlotContributionsSerializer(rows, many=True).data)
