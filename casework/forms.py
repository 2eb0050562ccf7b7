from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.models import AccessLevel, LegalBasis, NoteVisibility
from mda.models import Organisation


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), max_length=20000, widget=forms.Textarea)
    visibility = forms.ChoiceField(
        label=_("Who may read this note"), choices=NoteVisibility.choices,
        help_text=_("Police and justice notes stay within their domain unless you widen this."),
    )


class ParticipantForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    level = forms.TypedChoiceField(label=_("Information level"), choices=AccessLevel.choices,
                                   coerce=int)
    legal_basis = forms.ChoiceField(label=_("Legal basis"), choices=LegalBasis.choices)
    legal_basis_other = forms.CharField(
        label=_("Other legal basis"), max_length=300, required=False,
        help_text=_("Required when you choose 'other'."),
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=1000, widget=forms.Textarea,
                              help_text=_("No personal data: this is the disclosure log."))
    necessity = forms.CharField(
        label=_("Why sharing is necessary and proportionate"), max_length=2000,
        widget=forms.Textarea, help_text=_("No personal data: this is the disclosure log."),
    )
    expires_at = forms.DateTimeField(
        label=_("Expires at (optional)"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )

    def __init__(self, *args: Any, region: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            region=region
        ).order_by("name")


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to see this identity?"), min_length=10, max_length=500,
        widget=forms.Textarea, help_text=_("Recorded in the access log with your name."),
    )
