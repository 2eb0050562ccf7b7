"""REST API of subject access (AVG art. 15), the same steps and rules as the pages
(``casework/views/subject_access.py``) through the same services and selectors.

The privacy officer prepares a request (``POST /subject-access/``), lists and reads the requests of
the regions they supervise, releases one once every case is confirmed, and downloads the released
report as JSON. The coordinators of each case found list what awaits their review, read one case
(its content as far as the notes' rules let them), add and remove withholdings and confirm.

Errors: 400 with ``fields`` for wrong input (nothing changes); 403 for the privacy officer's
endpoints to anyone else; 404 for a request or review that is missing or not yours; 409 when the
request was released already, or is released while a case still awaits its coordinator.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from casework import access
from casework.models import (
    AccessLevel,
    CaseStatus,
    ContentKind,
    LegalBasis,
    SubjectAccessItem,
    SubjectAccessRequest,
    SubjectAccessStatus,
    SubjectLookup,
    WithholdingGround,
)
from casework.selectors.subject_access import (
    ContentEntry,
    ItemView,
    subject_access_report,
    subject_access_request_view,
    subject_access_review_view,
)
from casework.services import subject_access
from mda.http import ActorAPIView, ActorListAPIView, LabelledSerializer
from mda.models import Organisation, User


def _name(user: User | None) -> str | None:
    return None if user is None else (user.get_full_name() or user.username)


# --- Serializers ---------------------------------------------------------------------------------


class SubjectRecipientSerializer(serializers.Serializer):
    organisation = serializers.CharField(source="organisation.name")
    organisation_id = serializers.UUIDField(source="organisation.uuid")
    level = serializers.ChoiceField(choices=AccessLevel.choices)
    legal_basis = serializers.ChoiceField(choices=LegalBasis.choices)
    since = serializers.DateTimeField()
    until = serializers.DateTimeField(allow_null=True)


class EntryTextSerializer(LabelledSerializer):
    label = serializers.CharField()
    text = serializers.CharField()


class ContentEntrySerializer(serializers.Serializer):
    """One note, agreement, slot's minutes or contribution, its texts labelled."""

    kind = serializers.ChoiceField(choices=ContentKind.choices)
    id = serializers.UUIDField()
    on = serializers.DateTimeField()
    organisation = serializers.CharField(source="organisation.name", allow_null=True)
    texts = serializers.SerializerMethodField()

    @extend_schema_field(EntryTextSerializer(many=True))
    def get_texts(self, entry: ContentEntry) -> list[dict[str, str]]:
        return [{"label": label, "text": text} for label, text in entry.fields]

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.organisation is None:
            data["organisation"] = None
        return data


class WithholdingOutSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="withholding.id")
    scope = serializers.CharField(help_text="What is withheld, in words (never an entry's text).")
    organisation_id = serializers.UUIDField(
        source="withholding.organisation.uuid", allow_null=True, default=None
    )
    entry_kind = serializers.CharField(source="withholding.entry_kind", allow_blank=True)
    entry_id = serializers.UUIDField(source="withholding.entry_id", allow_null=True)
    ground = serializers.ChoiceField(source="withholding.ground", choices=WithholdingGround.choices)
    explanation = serializers.CharField()
    decided_by = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(source="withholding.decided_at")

    def get_decided_by(self, view: Any) -> str:
        return _name(view.withholding.decided_by) or ""


class SubjectItemSerializer(serializers.Serializer):
    """One case found, as the privacy officer prepares the request: no identity, no content."""

    id = serializers.UUIDField(source="item.id")
    case_id = serializers.UUIDField(source="case.pk")
    reference = serializers.CharField(source="case.reference")
    region = serializers.CharField(source="case.region.slug")
    status = serializers.ChoiceField(source="case.status", choices=CaseStatus.choices)
    found_as = serializers.CharField(source="item.member.label")
    confirmed_at = serializers.DateTimeField(source="item.confirmed_at", allow_null=True)
    confirmed_by = serializers.SerializerMethodField()
    recipients = SubjectRecipientSerializer(many=True)
    withholdings = WithholdingOutSerializer(many=True)

    def get_confirmed_by(self, view: ItemView) -> str | None:
        return _name(view.item.confirmed_by)


class ReviewEntrySerializer(ContentEntrySerializer):
    readable = serializers.BooleanField(
        help_text="False: the text is for the author's domain only and left out."
    )
    withheld = serializers.BooleanField()


class SubjectAccessReviewSerializer(SubjectItemSerializer):
    """One case for its coordinator: what the report would hold of it, and its withholdings."""

    request_id = serializers.UUIDField(source="item.request_id")
    content = serializers.SerializerMethodField()

    @extend_schema_field(ReviewEntrySerializer(many=True))
    def get_content(self, view: ItemView) -> list[dict[str, Any]]:
        return [
            {**ContentEntrySerializer(entry).data, "readable": entry.readable, "withheld": withheld}
            for entry, withheld in view.entries
        ]


class SubjectAccessRequestSerializer(serializers.ModelSerializer):
    lookup = serializers.ChoiceField(choices=SubjectLookup.choices)
    status = serializers.ChoiceField(choices=SubjectAccessStatus.choices)
    requested_by = serializers.SerializerMethodField()

    class Meta:
        model = SubjectAccessRequest
        fields = ["id", "created_at", "requested_by", "lookup", "status", "released_at"]

    def get_requested_by(self, request: SubjectAccessRequest) -> str:
        return _name(request.requested_by) or ""


class SubjectAccessRequestDetailSerializer(SubjectAccessRequestSerializer):
    items = serializers.SerializerMethodField()

    class Meta(SubjectAccessRequestSerializer.Meta):
        fields = [*SubjectAccessRequestSerializer.Meta.fields, "items"]

    @extend_schema_field(SubjectItemSerializer(many=True))
    def get_items(self, request: SubjectAccessRequest) -> list[dict[str, Any]]:
        return list(SubjectItemSerializer(self.context["items"], many=True).data)


class SubjectAccessReviewRowSerializer(serializers.ModelSerializer):
    request_id = serializers.UUIDField()
    case_id = serializers.UUIDField()
    reference = serializers.CharField(source="case.reference")
    found_as = serializers.CharField(source="member.label")
    request_created_at = serializers.DateTimeField(source="request.created_at")

    class Meta:
        model = SubjectAccessItem
        fields = [
            "id",
            "request_id",
            "case_id",
            "reference",
            "found_as",
            "request_created_at",
            "confirmed_at",
        ]


class SubjectAccessPrepareSerializer(serializers.Serializer):
    bsn = serializers.CharField(required=False, allow_blank=True, max_length=20)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    date_of_birth = serializers.DateField(required=False, allow_null=True)


class WithholdingInSerializer(serializers.Serializer):
    organisation_id = serializers.UUIDField(
        required=False, allow_null=True, help_text="What this organisation received and wrote."
    )
    entry_kind = serializers.ChoiceField(
        choices=ContentKind.choices, required=False, allow_blank=True, help_text="One entry..."
    )
    entry_id = serializers.UUIDField(required=False, allow_null=True, help_text="...and its id.")
    ground = serializers.ChoiceField(choices=WithholdingGround.choices)
    explanation = serializers.CharField(
        max_length=2000, help_text="Encrypted; never in the report."
    )


class SubjectIdentitySerializer(serializers.Serializer):
    name = serializers.CharField(required=False)
    bsn = serializers.CharField(required=False)
    date_of_birth = serializers.CharField(required=False, help_text="ISO date, or as held.")
    address = serializers.CharField(required=False)


class SubjectReportCaseSerializer(LabelledSerializer):
    reference = serializers.CharField(source="case.reference")
    region = serializers.CharField(source="case.region.name")
    role = serializers.CharField()
    label = serializers.CharField()
    identity = SubjectIdentitySerializer()
    referred_at = serializers.DateTimeField(source="case.created_at")
    referred_by = serializers.CharField(source="case.referring_organisation.name")
    status = serializers.ChoiceField(source="case.status", choices=CaseStatus.choices)
    ended_at = serializers.DateTimeField(source="case.ended_at", allow_null=True)
    reason = serializers.CharField()
    recipients = SubjectRecipientSerializer(many=True)
    notes = ContentEntrySerializer(many=True)
    agreements = ContentEntrySerializer(many=True)
    minutes = ContentEntrySerializer(many=True)
    contributions = ContentEntrySerializer(many=True)


class SubjectAccessReportSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="request.pk")
    released_at = serializers.DateTimeField(source="request.released_at")
    cases = SubjectReportCaseSerializer(many=True)


# --- The privacy officer -------------------------------------------------------------------------


def _request_response(actor: User, found: SubjectAccessRequest, code: int = 200) -> Response:
    items = subject_access_request_view(actor=actor, request=found)
    data = SubjectAccessRequestDetailSerializer(found, context={"items": items}).data
    return Response(data, status=code)


class SubjectAccessListView(ActorListAPIView):
    """The requests of the regions you supervise, newest first (privacy officers)."""

    serializer_class = SubjectAccessRequestSerializer

    def get_queryset(self):
        access.require_privacy_officer(self.actor)
        return (
            access.subject_access_requests_visible_to(self.actor)
            .select_related("requested_by")
            .order_by("-created_at")
        )

    @extend_schema(
        request=SubjectAccessPrepareSerializer,
        responses={201: SubjectAccessRequestDetailSerializer},
        summary="Look a person up by BSN, or name and date of birth, and prepare a request",
    )
    def post(self, request: Request) -> Response:
        access.require_privacy_officer(self.actor)
        serializer = SubjectAccessPrepareSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        found = subject_access.subject_access_prepare(actor=self.actor, **serializer.validated_data)
        return _request_response(self.actor, found, status.HTTP_201_CREATED)


class SubjectAccessDetailView(ActorAPIView):
    @extend_schema(
        responses=SubjectAccessRequestDetailSerializer,
        summary="One request: the cases found, who received what, the withholdings",
    )
    def get(self, request: Request, request_id: Any) -> Response:
        found = access.access_subject_access_request(self.actor, request_id)
        return _request_response(self.actor, found)


class SubjectAccessReleaseView(ActorAPIView):
    @extend_schema(
        request=None,
        responses=SubjectAccessRequestDetailSerializer,
        summary="Release the report once a coordinator confirmed every case (recorded)",
    )
    def post(self, request: Request, request_id: Any) -> Response:
        found = access.access_subject_access_request(self.actor, request_id)
        released = subject_access.subject_access_release(actor=self.actor, request=found)
        return _request_response(self.actor, released)


class SubjectAccessReportView(ActorAPIView):
    @extend_schema(
        responses=SubjectAccessReportSerializer,
        summary="Download the released report: the data held about the person (recorded)",
    )
    def get(self, request: Request, request_id: Any) -> Response:
        found = access.access_subject_access_request(self.actor, request_id)
        report = subject_access_report(actor=self.actor, request=found, download=True)
        response = Response(SubjectAccessReportSerializer({"request": found, "cases": report}).data)
        response.headers["Cache-Control"] = "no-store"
        return response


# --- The coordinators ----------------------------------------------------------------------------


class ReviewListView(ActorListAPIView):
    """Cases of requests in preparation that your regions hold, awaiting your review."""

    serializer_class = SubjectAccessReviewRowSerializer

    def get_queryset(self):
        return (
            access.subject_access_reviews_for(self.actor)
            .select_related("case", "member", "request")
            .order_by("-request__created_at", "case__reference")
        )


def _review_response(actor: User, item: SubjectAccessItem, code: int = 200) -> Response:
    view = subject_access_review_view(actor=actor, item=item)
    return Response(SubjectAccessReviewSerializer(view).data, status=code)


class ReviewDetailView(ActorAPIView):
    @extend_schema(
        responses=SubjectAccessReviewSerializer,
        summary="One case to review: what the report would hold of it (its coordinators)",
    )
    def get(self, request: Request, item_id: Any) -> Response:
        item = access.access_subject_access_review(self.actor, item_id)
        return _review_response(self.actor, item)


def _organisation(value: Any) -> Organisation | None:
    if value is None:
        return None
    found = Organisation.objects.filter(uuid=value).first()
    if found is None:
        raise ValidationError(
            {"organisation_id": _("Choose an organisation that took part in the case.")}
        )
    return found


class WithholdingListView(ActorAPIView):
    @extend_schema(
        request=WithholdingInSerializer,
        responses={201: SubjectAccessReviewSerializer},
        summary="Withhold the whole case, what one organisation received and wrote, or one entry",
    )
    def post(self, request: Request, item_id: Any) -> Response:
        item = access.access_subject_access_review(self.actor, item_id)
        serializer = WithholdingInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subject_access.withholding_set(
            actor=self.actor,
            item=item,
            organisation=_organisation(data.get("organisation_id")),
            ground=data["ground"],
            explanation=data["explanation"],
            entry_kind=data.get("entry_kind") or "",
            entry_id=data.get("entry_id"),
        )
        return _review_response(self.actor, item, status.HTTP_201_CREATED)


class WithholdingDetailView(ActorAPIView):
    @extend_schema(request=None, responses={204: None}, summary="Remove a withholding")
    def delete(self, request: Request, item_id: Any, withholding_id: Any) -> Response:
        item = access.access_subject_access_review(self.actor, item_id)
        subject_access.withholding_remove(
            actor=self.actor, item=item, withholding_id=withholding_id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReviewConfirmView(ActorAPIView):
    @extend_schema(
        request=None,
        responses=SubjectAccessReviewSerializer,
        summary="Confirm: the report may hold this case as reviewed (its coordinators)",
    )
    def post(self, request: Request, item_id: Any) -> Response:
        item = access.access_subject_access_review(self.actor, item_id)
        confirmed = subject_access.subject_access_confirm(actor=self.actor, item=item)
        return _review_response(self.actor, confirmed)
