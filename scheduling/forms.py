"""Forms of scheduling: meeting series, agendas, answers, the meeting day and minutes; a
coordinator's manual escalation, and the admin's rung editor."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from casework.models import Agreement, AgreementStatus, NoteVisibility
from mda.forms import (
    DayMonthYearField,
    DayMonthYearInput,
    PersonChoiceField,
    model_choices,
    person_choices,
)
from mda.models import Organisation, Role
from scheduling.models import (
    InvitationResponse,
    MeetingSeries,
    Rung,
)
from scheduling.services.escalation import MIN_REASON


class EscalationRaiseForm(forms.Form):
    rung = forms.ModelChoiceField(queryset=Rung.objects.none(), label=_("Rung"))
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=_("Organisation whose cooperation stalls"),
        help_text=_("Needed for a rung that tells the team lead of an organisation."),
    )
    agreement = forms.ModelChoiceField(
        queryset=Agreement.objects.none(),
        required=False,
        label=_("Agreement (optional)"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        min_length=MIN_REASON,
        max_length=2000,
        widget=forms.Textarea,
        help_text=_(
            "Why cooperation stalls. In the service, coordinators and the partners who see the "
            "case in full read it, recipients among them; recipients who see less of the case "
            "do not, and the e-mail carries only the reference and the rung."
        ),
    )

    def __init__(self, *args: Any, case: Any, agreements: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from scheduling.services import ladder_of

        fields = cast(dict[str, Any], self.fields)  # ModelChoiceFields, set up per case
        fields["rung"].queryset = ladder_of(case.region).rungs.filter(active=True)
        fields["organisation"].queryset = Organisation.objects.filter(region=case.region)
        fields["agreement"].queryset = agreements
        fields["agreement"].label_from_instance = lambda a: (
            _("%(organisation)s, due %(due)s")
            % {"organisation": a.owner_organisation.name, "due": date_format(a.due_date)}
        )


class RungAdminForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("with the roles"),
    )

    class Meta:
        model = Rung
        fields = [
            "number",
            "name",
            "name_en",
            "offset_working_days",
            "notify_owner",
            "organisation_scope",
            "organisation_kind",
            "organisation",
            "roles",
            "users",
            "active",
        ]


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _datetime_field(label: Any, *, required: bool = False, help_text: Any = "") -> Any:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=DATETIME_FORMATS,
    )


class SeriesForm(forms.ModelForm):
    online_link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")

    class Meta:
        model = MeetingSeries
        fields = [
            "region",
            "kind",
            "name",
            "weekday",
            "start_time",
            "duration_minutes",
            "place",
            "online_link",
            "holiday_rule",
            "weeks_ahead",
            "slot_minutes",
            "deadline_working_days",
            "deadline_time",
            "starts_on",
            "active",
        ]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "deadline_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "starts_on": DayMonthYearInput(),
        }

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "region").queryset = regions
        if not self.instance._state.adding:  # (a new series has its UUID pk already)
            self.fields["region"].disabled = True


class AgendaAddForm(forms.Form):
    case = forms.ChoiceField(label=_("Case"))
    slot_minutes = forms.IntegerField(
        label=_("Slot (minutes)"), min_value=5, max_value=240, required=False
    )
    reason = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["case"])
        field.choices = [("", "—"), *[(str(c.pk), c.reference) for c in cases]]


class ItemForm(forms.Form):
    slot_minutes = forms.IntegerField(label=_("Slot (minutes)"), min_value=5, max_value=240)
    information_deadline = _datetime_field(
        _("Information deadline"), help_text=_("Empty: the meeting's deadline.")
    )


class MeetingForm(forms.Form):
    information_deadline = _datetime_field(_("Information deadline for partners"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")


class EmergencyForm(forms.Form):
    starts_at = _datetime_field(_("Starts at"), required=True)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=240, initial=45
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")


class ResponseForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("For"), queryset=Organisation.objects.none(), empty_label=None
    )
    response = forms.ChoiceField(label=_("Your answer"), choices=InvitationResponse.choices)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "organisation").queryset = organisations


class MinutesForm(forms.Form):
    shared_views = forms.CharField(
        label=_("Shared views"), max_length=20000, required=False, widget=forms.Textarea
    )
    decisions = forms.CharField(
        label=_("Decisions"), max_length=20000, required=False, widget=forms.Textarea
    )
    case_director = PersonChoiceField(label=_("Case director"), required=False)
    case_director_confirmed = forms.BooleanField(
        label=_("The case director was confirmed in the meeting"), required=False
    )
    next_review_on = DayMonthYearField(
        label=_("Next review"),
        required=False,
    )

    def __init__(self, *args: Any, directors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person_choices(self, "case_director", directors)


class MeetingAgreementForm(forms.Form):
    description = forms.CharField(
        label=_("What was agreed"), max_length=2000, widget=forms.Textarea
    )
    owner_organisation = forms.ModelChoiceField(
        label=_("Owner organisation"), queryset=Organisation.objects.none()
    )
    owner = PersonChoiceField(label=_("Owner (person)"), required=False)
    due_date = DayMonthYearField(label=_("Due date"))

    def __init__(self, *args: Any, organisations: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "owner_organisation").queryset = organisations
        person_choices(self, "owner", people)
        self.fields["owner"].widget.attrs["data-follows"] = self["owner_organisation"].auto_id


class AgreementReviewForm(forms.Form):
    """The review of one open agreement: no outcome is chosen for the user."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            ("", _("Not yet reviewed")),
            (AgreementStatus.DONE, AgreementStatus.DONE.label),
            (AgreementStatus.NOT_POSSIBLE, AgreementStatus.NOT_POSSIBLE.label),
            (AgreementStatus.NOT_DONE, AgreementStatus.NOT_DONE.label),
            ("continued", _("Continued with a new due date")),
        ],
        error_messages={
            "required": _("Choose the outcome: done, not possible, not done or continued.")
        },
    )
    reason = forms.CharField(
        label=_("Why (for not possible or not done)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_date = DayMonthYearField(label=_("New due date (when continued)"), required=False)


class ContributionForm(forms.Form):
    """A partner's contribution to one case's slot; the organisation is asked only of someone who
    works for several invited organisations."""

    organisation = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=Organisation.objects.none(), empty_label=None
    )
    known_since = forms.CharField(
        label=_("What we know since the last meeting"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    involvement = forms.CharField(
        label=_("Our current involvement"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    risks = forms.CharField(
        label=_("Risks and concerns"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    proposals = forms.CharField(
        label=_("Proposals"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=NoteVisibility.choices,
        help_text=_(
            "Only partners at level 2 on the case read a contribution; level 1 sees only that "
            "your organisation contributed. Justice information stays in its domain unless you "
            "widen it."
        ),
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "organisation").queryset = organisations
