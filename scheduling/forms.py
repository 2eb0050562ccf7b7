"""Forms of scheduling: a coordinator's manual escalation, and the admin's rung editor."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.models import Agreement
from mda.models import Organisation, Role
from scheduling.models import Rung
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
            "Why cooperation stalls. Only coordinators and level-2 partners read it; "
            "the e-mail does not carry it."
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
            % {"organisation": a.owner_organisation.name, "due": a.due_date.isoformat()}
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
            "offset_working_days",
            "notify_owner",
            "organisation_scope",
            "organisation_kind",
            "organisation",
            "roles",
            "users",
            "active",
        ]
