from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.models import (
    AccessLevel,
    CaseStatus,
    CheckInOutcome,
    Criterion,
    HouseholdMember,
    LegalBasis,
    MemberRole,
    NoteVisibility,
    NotInformedReason,
    Perspective,
    RiskInstrument,
    RiskOutcome,
    SafetyPhase,
    WithholdingGround,
)
from casework.selectors.cases import CaseFilters, CaseSort
from casework.transitions import TRANSITION_CHOICES
from mda.blind_index import validate_bsn
from mda.forms import (
    DATE_HELP,
    ConfirmForm,
    DayMonthYearField,
    PersonChoiceField,
    model_choices,
    person_choices,
)
from mda.models import Organisation, Region


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), max_length=20000, widget=forms.Textarea)
    visibility = forms.ChoiceField(
        label=_("Who may read this note"),
        choices=NoteVisibility.choices,
        help_text=_("Police and justice notes stay within their domain unless you widen this."),
    )


class WeegmomentForm(forms.Form):
    """A weegmoment: level, legal basis (no default: a choice the coordinator makes), purpose,
    necessity, expiry. The texts are stored encrypted."""

    level = forms.TypedChoiceField(
        label=_("Information level"), choices=AccessLevel.choices, coerce=int
    )
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"),
        choices=[("", "—"), *LegalBasis.choices],
        error_messages={"required": _("Choose the legal basis.")},
    )
    legal_basis_other = forms.CharField(
        label=_("Other legal basis"),
        max_length=300,
        required=False,
        help_text=_("Required when you choose 'other'. Stored encrypted."),
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=1000,
        widget=forms.Textarea,
        help_text=_(
            "No personal data. Stored encrypted; read by the coordinators and the organisation "
            "concerned."
        ),
    )
    necessity = forms.CharField(
        label=_("Why sharing is necessary and proportionate"),
        max_length=2000,
        widget=forms.Textarea,
        help_text=_(
            "No personal data. Stored encrypted; read by the coordinators and the organisation "
            "concerned."
        ),
    )
    expires_at = forms.DateTimeField(
        label=_("Expires at (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )


class ParticipantForm(WeegmomentForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    field_order = ["organisation"]

    def __init__(self, *args: Any, region: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "organisation").queryset = Organisation.objects.filter(
            region=region
        ).order_by("name")


class RevealForm(ConfirmForm):
    reason = forms.CharField(
        label=_("Why do you need to see this identity?"),
        min_length=10,
        max_length=500,
        widget=forms.Textarea,
        help_text=_("Recorded in the access log with your name."),
    )


# --- The life of a case: referral, triage and transitions, plan, readings -------------------


class ReferralForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Referring organisation"),
        queryset=Organisation.objects.none(),
        help_text=_("You work for more than one organisation: say which refers."),
    )
    reason = forms.CharField(
        label=_("Reason for the referral"),
        max_length=10000,
        widget=forms.Textarea,
        help_text=_("What happened and why regular help is not enough. Stored encrypted."),
    )
    goal = forms.CharField(
        label=_("Goal of the conference"),
        max_length=5000,
        widget=forms.Textarea,
        help_text=_("What should the MDA++ conference achieve? Stored encrypted."),
        error_messages={"required": _("Describe what the conference should achieve.")},
    )
    criteria = forms.MultipleChoiceField(
        label=_("MDA++ criteria this household meets"),
        choices=Criterion.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Tick at least one MDA++ criterion that this household meets.")
        },
    )
    family_informed = forms.TypedChoiceField(
        label=_("Was the family informed of this referral?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the family was informed of this referral.")},
    )
    not_informed_reason = forms.ChoiceField(
        label=_("If not: why not?"),
        choices=NotInformedReason.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Required when the family was not informed."),
    )
    not_informed_explanation = forms.CharField(
        label=_("Explanation"),
        max_length=2000,
        required=False,
        widget=forms.Textarea,
        help_text=_("Required for another reason. Stored encrypted."),
    )
    partners_involved = forms.ModelMultipleChoiceField(
        label=_("Partners already involved"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "organisation").queryset = organisations
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()
            self.fields["organisation"].widget = forms.HiddenInput()
        self.region = self._region(organisations)
        model_choices(self, "partners_involved").queryset = Organisation.objects.filter(
            region=self.region
        ).order_by("name")

    def _region(self, organisations: Any) -> Any:
        """The region of the chosen (or only) organisation: its partners are the choices."""
        chosen = str(self.data.get("organisation") or "") if self.is_bound else ""
        org = organisations.filter(pk=chosen).first() if chosen.isdigit() else None
        return (org or organisations.first()).region


class MemberForm(forms.Form):
    # An empty first choice, so that the unused rows of the formset stay empty.
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *MemberRole.choices])
    # The help ("a pseudonymous label such as 'moeder'") is given once, above the rows.
    label = forms.CharField(label=_("Label"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    bsn = forms.CharField(label=_("BSN"), max_length=20, required=False)
    date_of_birth = DayMonthYearField(
        label=_("Date of birth"),
        required=False,
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)

    def clean_bsn(self) -> str:
        value = self.cleaned_data.get("bsn", "").strip()
        return validate_bsn(value) if value else ""


class RiskAssessmentForm(forms.Form):
    instrument = forms.ChoiceField(
        label=_("Instrument"), choices=[("", "—"), *RiskInstrument.choices]
    )
    assessed_on = DayMonthYearField(label=_("Date"))
    assessor_organisation = forms.ModelChoiceField(
        label=_("Assessor organisation"), queryset=Organisation.objects.none()
    )
    outcome = forms.ChoiceField(
        label=_("Outcome category"),
        choices=[("", "—"), *RiskOutcome.choices],
    )

    def __init__(self, *args: Any, region: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "assessor_organisation").queryset = Organisation.objects.filter(
            region=region
        ).order_by("name")


class RiskAssessmentRecordForm(RiskAssessmentForm):
    """An outcome recorded after the referral: the assessor takes part in the case."""

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "assessor_organisation").queryset = organisations


MemberFormSet = forms.formset_factory(MemberForm, extra=4, max_num=20, validate_max=True)
RiskAssessmentFormSet = forms.formset_factory(
    RiskAssessmentForm, extra=2, max_num=10, validate_max=True
)


class TransitionForm(forms.Form):
    # Every transition is a valid choice, so that one not possible from here reaches the service
    # and answers 409 with what is possible; the page offers only those.
    transition = forms.ChoiceField(
        label=_("What happens now"), choices=TRANSITION_CHOICES, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Why (the advice, for advice only)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea,
        help_text=_(
            "Required for advice only, decline, acute route, re-open and closing "
            "without follow-up. Stored encrypted; shown at information level 2."
        ),
    )


class DirectorForm(forms.Form):
    director = PersonChoiceField(
        label=_("Case director"),
        help_text=_("A professional of an organisation that takes part at level 2."),
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person_choices(self, "director", candidates)


class PlanForm(forms.Form):
    safety_goals = forms.CharField(
        label=_("Safety goals"),
        max_length=10000,
        widget=forms.Textarea,
        help_text=_("Stored encrypted; shown at information level 2."),
    )
    review_every_weeks = forms.IntegerField(
        label=_("Review the case every (weeks)"), min_value=1, max_value=26, initial=4
    )


class SafetyPhaseForm(forms.Form):
    phase = forms.TypedChoiceField(
        label=_("Safety phase"), choices=SafetyPhase.choices, coerce=int, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Why"),
        max_length=5000,
        widget=forms.Textarea,
        help_text=_("Stored encrypted; shown in the timeline at information level 2."),
        error_messages={"required": _("Say why the safety phase changes.")},
    )


class ScoreForm(forms.Form):
    value = forms.TypedChoiceField(
        label=_("Score (0-10)"),
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        help_text=_(
            "0: things are so bad the children cannot stay at home; 10: everyone knows "
            "the children are safe enough to close the case."
        ),
    )
    scored_on = DayMonthYearField(label=_("Date of the reading"))
    perspective = forms.ChoiceField(
        label=_("Whose view"), choices=Perspective.choices, widget=forms.RadioSelect
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation (for a professional's view)"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Default: your own organisation."),
    )
    member = forms.ModelChoiceField(
        label=_("Household member (for a parent's or a child's view)"),
        queryset=HouseholdMember.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "organisation").queryset = Organisation.objects.filter(
            region=case.region
        ).order_by("name")
        model_choices(self, "member").queryset = case.members.all()


class CheckInForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=CheckInOutcome.choices, widget=forms.RadioSelect
    )
    remark = forms.CharField(
        label=_("Remark"),
        max_length=5000,
        required=False,
        widget=forms.Textarea,
        help_text=_("Required with concerns. Stored encrypted."),
    )


class CaseFilterForm(forms.Form):
    """The case list's search, filters and sort (a GET form: links can be shared and kept)."""

    q = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=40,
        help_text=_("The whole reference or its number, for example MDA-2026-0042 or 42."),
    )
    status = forms.MultipleChoiceField(
        label=_("Status"),
        required=False,
        choices=CaseStatus.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    safety_phase = forms.TypedMultipleChoiceField(
        label=_("Safety phase"),
        required=False,
        coerce=int,
        choices=SafetyPhase.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    director_organisation = forms.ModelChoiceField(
        label=_("Case director's organisation"),
        required=False,
        queryset=Organisation.objects.none(),
        to_field_name="uuid",
        empty_label=_("Any organisation"),
    )
    overdue = forms.BooleanField(label=_("Only cases with overdue agreements"), required=False)
    mine = forms.BooleanField(label=_("Only my organisation's cases"), required=False)
    region = forms.ModelChoiceField(
        label=_("Region"),
        required=False,
        queryset=Region.objects.none(),
        to_field_name="slug",
        empty_label=_("All my regions"),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False, choices=CaseSort.choices, initial=CaseSort.NEWEST
    )

    def __init__(
        self, *args: Any, organisations: Any, regions: Any, several_regions: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "director_organisation").queryset = organisations
        model_choices(self, "region").queryset = regions
        # Offered to people of several regions; for others only a wrong value can be sent.
        self.several_regions = several_regions

    def filters(self) -> CaseFilters:
        data = self.cleaned_data
        return CaseFilters(
            text=data.get("q") or "",
            statuses=tuple(data.get("status") or ()),
            safety_phases=tuple(data.get("safety_phase") or ()),
            director_organisation=data.get("director_organisation"),
            overdue=bool(data.get("overdue")),
            mine=bool(data.get("mine")),
            region=data.get("region"),
            sort=data.get("sort") or CaseSort.NEWEST,
        )


class PersonSearchForm(forms.Form):
    """Coordinators: find the cases of a person by an exact BSN, or name and date of birth
    (through the blind index; the search is recorded). Sent by POST, so a BSN never ends up in
    an address, a browser history or a server log."""

    bsn = forms.CharField(label=_("BSN"), required=False, max_length=20)
    name = forms.CharField(label=_("Full name"), required=False, max_length=200)
    date_of_birth = DayMonthYearField(
        label=_("Date of birth"),
        required=False,
        help_text=DATE_HELP,
    )

    def clean_bsn(self) -> str:
        raw = self.cleaned_data.get("bsn", "")
        return validate_bsn(raw) if raw.strip() else ""

    def clean_name(self) -> str:
        name = self.cleaned_data.get("name", "")
        if name.strip() and not any(c.isalpha() for c in name):
            raise forms.ValidationError(_("A name has at least one letter."), code="no_letter")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data.get("bsn"):
            return data
        if data.get("name", "").strip() and data.get("date_of_birth"):
            return data
        if data.get("name", "").strip() or data.get("date_of_birth"):
            raise forms.ValidationError(
                _("Give both the full name and the date of birth, or a BSN."),
                code="incomplete",
            )
        raise forms.ValidationError(
            _("Give a BSN, or a full name and a date of birth."), code="empty"
        )


class LegalHoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the hold"),
        max_length=2000,
        widget=forms.Textarea,
        help_text=_("For example a running criminal investigation. Coordinators read it."),
    )
    until = DayMonthYearField(
        label=_("Hold until"),
        help_text=_("Destruction is postponed until the day after this date. Day-month-year."),
    )


class WithholdingForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("What to withhold"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("The whole case"),
        help_text=_("Or only what one organisation received and wrote."),
    )
    entry = forms.ChoiceField(
        label=_("Or one entry"),
        required=False,
        help_text=_(
            "A single note, agreement, minutes or contribution; leave the choice above "
            "on the whole case."
        ),
    )
    ground = forms.ChoiceField(label=_("Ground"), choices=WithholdingGround.choices)
    explanation = forms.CharField(
        label=_("Explanation"),
        max_length=2000,
        widget=forms.Textarea,
        help_text=_("Recorded with the request; the person does not see it."),
    )

    def __init__(
        self,
        *args: Any,
        organisations: Any = None,
        entries: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None:
            model_choices(self, "organisation").queryset = organisations
        entry = self.fields["entry"]
        assert isinstance(entry, forms.ChoiceField)
        entry.choices = [("", "—"), *(entries or [])]

    def clean(self) -> dict[str, Any]:
        """The entry as the service takes it: its kind and id."""
        data = super().clean() or {}
        kind, _sep, entry_id = (data.pop("entry", "") or "").partition(":")
        data["entry_kind"], data["entry_id"] = kind, entry_id or None
        return data
