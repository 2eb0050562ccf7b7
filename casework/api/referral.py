"""The referral's fields in the API (besides reason and household, see ``register``)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from casework.access import access_referral
from casework.models import (
    Criterion,
    MemberRole,
    NotInformedReason,
    RiskInstrument,
    RiskOutcome,
)
from casework.selectors.referral import referral_as_submitted
from casework.services import ReferralInput, RiskAssessmentInput
from casework.services.referral import MAX_MEMBERS, MAX_RISK_ASSESSMENTS
from mda.blind_index import validate_bsn
from mda.http import ActorAPIView, LabelledSerializer
from mda.models import Organisation, Region


class RiskAssessmentInSerializer(serializers.Serializer):
    instrument = serializers.ChoiceField(choices=RiskInstrument.choices)
    assessed_on = serializers.DateField()
    assessor_organisation = serializers.UUIDField(
        help_text="The organisation (of the case's region) that made the assessment."
    )
    outcome = serializers.ChoiceField(
        choices=RiskOutcome.choices,
        help_text="The outcome category as the instrument gave it; the service never recomputes "
        "it.",
    )


class ReferralFieldsSerializer(serializers.Serializer):
    goal = serializers.CharField(
        max_length=5000,
        help_text="The goal of the conference. Encrypted; readable at access level 2.",
    )
    criteria = serializers.ListField(
        child=serializers.ChoiceField(choices=Criterion.choices),
        max_length=4,
        help_text="The MDA++ criteria the household meets; at least one.",
    )
    family_informed = serializers.BooleanField(help_text="Was the family told of the referral?")
    not_informed_reason = serializers.ChoiceField(
        choices=NotInformedReason.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when family_informed is false.",
    )
    not_informed_explanation = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when not_informed_reason is 'other'. Encrypted.",
    )
    risk_assessments = RiskAssessmentInSerializer(  # type: ignore[call-arg] # max_length: DRF 3.14+
        many=True,
        required=False,
        default=list,
        max_length=MAX_RISK_ASSESSMENTS,
        help_text="Outcomes of risk instruments the partner already used.",
    )
    partners_involved = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        default=list,
        max_length=50,
        help_text="Organisations (of the region) already involved with the household.",
    )


def _organisations(region: Region, uuids: list[Any]) -> dict[Any, Organisation]:
    return {o.uuid: o for o in Organisation.objects.filter(region=region, uuid__in=uuids)}


def referral_input(data: dict[str, Any], region: Region) -> ReferralInput:
    """The validated API data as the service's input; unknown organisations are field errors."""
    risks = data.get("risk_assessments", [])
    orgs = _organisations(
        region,
        [r["assessor_organisation"] for r in risks] + list(data.get("partners_involved", [])),
    )
    errors: dict[str, Any] = {}
    missing = {
        str(i): {"assessor_organisation": [_("No such organisation in this region.")]}
        for i, r in enumerate(risks)
        if r["assessor_organisation"] not in orgs
    }
    if missing:
        errors["risk_assessments"] = missing
    if any(u not in orgs for u in data.get("partners_involved", [])):
        errors["partners_involved"] = [_("No such organisation in this region.")]
    if errors:
        raise serializers.ValidationError(errors)
    return ReferralInput(
        goal=data["goal"],
        criteria=list(data["criteria"]),
        family_informed=data["family_informed"],
        not_informed_reason=data.get("not_informed_reason", ""),
        not_informed_explanation=data.get("not_informed_explanation", ""),
        risk_assessments=[
            RiskAssessmentInput(
                instrument=r["instrument"],
                assessed_on=r["assessed_on"],
                assessor_organisation=orgs[r["assessor_organisation"]],
                outcome=r["outcome"],
            )
            for r in risks
        ],
        partners_involved=[orgs[u] for u in data.get("partners_involved", [])],
    )


class IdentityInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    bsn = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def validate_bsn(self, value: str) -> str:
        return validate_bsn(value) if value.strip() else ""


class MemberInSerializer(LabelledSerializer):
    role = serializers.ChoiceField(choices=MemberRole.choices)
    label = serializers.CharField(max_length=40)
    identity = IdentityInSerializer(required=False)


class CaseCreateSerializer(ReferralFieldsSerializer):
    organisation = serializers.UUIDField(
        required=False,
        help_text="The referring organisation; needed only when you act for more than one.",
    )
    reason = serializers.CharField(max_length=10000)
    # ListSerializer has taken min_length/max_length since DRF 3.15; the stubs lag behind.
    members = MemberInSerializer(  # type: ignore[call-arg]  # max_length: DRF 3.14+
        many=True, min_length=1, max_length=MAX_MEMBERS
    )


# --- The referral as submitted ------------------------------------------------------------------


class RiskAtReferralSerializer(serializers.Serializer):
    instrument = serializers.ChoiceField(choices=RiskInstrument.choices)
    assessed_on = serializers.DateField()
    assessor_organisation = serializers.CharField(source="assessor_organisation.name")
    outcome = serializers.ChoiceField(choices=RiskOutcome.choices)


class SubmittedMemberSerializer(LabelledSerializer):
    label = serializers.CharField()
    role = serializers.ChoiceField(choices=MemberRole.choices)


class ReferralSubmittedSerializer(serializers.Serializer):
    reference = serializers.CharField(source="referral.case.reference")
    referring_organisation = serializers.CharField(
        source="referral.case.referring_organisation.name"
    )
    referred_at = serializers.DateTimeField(source="referral.case.created_at")
    reason = serializers.CharField()
    goal = serializers.CharField()
    criteria = serializers.ListField(
        child=serializers.ChoiceField(choices=Criterion.choices), source="referral.criteria"
    )
    family_informed = serializers.BooleanField(source="referral.family_informed")
    not_informed_reason = serializers.ChoiceField(
        choices=[*NotInformedReason.choices, ("", "")], source="referral.not_informed_reason"
    )
    not_informed_explanation = serializers.CharField(allow_null=True)
    partners_involved = serializers.ListField(child=serializers.CharField(), source="partners")
    household = SubmittedMemberSerializer(
        source="members", many=True, help_text="Labels and roles; identities stay in the vault."
    )
    risk_assessments = RiskAtReferralSerializer(many=True)


class ReferralDetailView(ActorAPIView):
    @extend_schema(
        responses=ReferralSubmittedSerializer,
        summary="The referral as submitted (level 2, coordinators, and the referring "
        "organisation whatever its level now)",
    )
    def get(self, request: Request, case_id: Any) -> Response:
        case = access_referral(self.actor, case_id)
        view = referral_as_submitted(actor=self.actor, case=case)
        if view is None:
            raise Http404
        return Response(ReferralSubmittedSerializer(view).data)
