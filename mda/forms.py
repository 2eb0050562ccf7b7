from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from mda.models import Membership, User
from mda.models.accounts import person_label


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the six digits shown in your authenticator app.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "pattern": r"\d{6}",
                "maxlength": 6,
            }
        ),
    )

    def clean_token(self) -> str:
        return str(self.cleaned_data["token"]).strip()


def form_apply_service_errors(
    form: forms.BaseForm, exc: ValidationError, **sections: list[str]
) -> None:
    """Show a service's ValidationError on *form*: per field where the form has that field,
    otherwise as a form-wide error; keys in *sections* collect into those lists instead (shown
    beside a formset). Views call services; services own the rules."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        if name in sections:
            sections[name].extend(errors)
        else:
            form.add_error(name if name in form.fields else None, errors)


def flash_service_errors(request: HttpRequest, exc: ValidationError) -> None:
    """Show a service's ValidationError as messages on the next page (for buttons, not forms)."""
    for text in exc.messages:
        messages.error(request, text)


def model_choices(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """The model choice field *name* of *form*, typed, to narrow its queryset per request."""
    return cast(forms.ModelChoiceField, form.fields[name])


class DayMonthYearInput(forms.DateInput):
    """A date typed as day-month-year ("01-12-2026"), whatever the browser's language: the first
    of DATE_INPUT_FORMATS (config/formats) renders it; ISO dates are accepted too."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {"autocomplete": "off", "size": "10", "class": "input-date"}
        super().__init__(attrs={**base, **(attrs or {})})


DATE_HELP = _("Day-month-year, for example 01-12-2026.")


class DayMonthYearField(forms.DateField):
    """A date field typed as day-month-year, with that said beside it (its help text)."""

    widget = DayMonthYearInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", DATE_HELP)
        super().__init__(**kwargs)


class PersonSelect(forms.Select):
    """Options marked with the organisation they belong to (``data-organisation``), so the page
    can offer only the people of the organisation chosen beside it (mda.js)."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        membership = getattr(value, "instance", None)
        if isinstance(membership, Membership):
            option["attrs"]["data-organisation"] = str(membership.organisation_id)
        return option


class _PersonChoices(ModelChoiceIterator):
    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        field = cast(PersonChoiceField, self.field)
        if field.empty_label is not None:
            yield ("", field.empty_label)
        for membership in field.memberships:
            yield (
                ModelChoiceIteratorValue(membership.user_id, membership),
                membership.person_label,
            )

    def __len__(self) -> int:
        field = cast(PersonChoiceField, self.field)
        return len(field.memberships) + (field.empty_label is not None)


class PersonChoiceField(forms.ModelChoiceField):
    """Choose a person, shown as "Name, organisation (role)". Give it the memberships that may
    take the role (``person_choices``): one option per membership, so only people in those roles
    are offered, each with its organisation; the value is the user."""

    iterator = _PersonChoices
    widget = PersonSelect

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", User.objects.none())
        super().__init__(**kwargs)
        self.memberships: list[Membership] = []

    def label_from_instance(self, obj: Any) -> str:
        return person_label(obj)


def person_choices(form: forms.BaseForm, name: str, memberships: QuerySet[Membership]) -> None:
    """Offer the people of *memberships* in the person field *name* of *form*."""
    field = cast(PersonChoiceField, form.fields[name])
    rows = list(
        memberships.filter(user__is_active=True)
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__first_name", "user__last_name", "user__username")
    )
    field.memberships = rows
    field.queryset = User.objects.filter(pk__in={m.user_id for m in rows})


NOT_CONFIRMED = _(
    "Nothing was done: this needs your confirmation. Read what will happen below, then confirm."
)


class ConfirmForm(forms.Form):
    """The confirmation step of a destructive or far-reaching action. The confirmation page sends
    ``confirm``; a POST without it (an old one-click button, a script, a forged form) changes
    nothing and the page says so, whatever JavaScript does or does not run."""

    confirm = forms.BooleanField(
        widget=forms.HiddenInput, required=True, error_messages={"required": NOT_CONFIRMED}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm"].initial = True


class ReasonConfirmForm(ConfirmForm):
    """A confirmation with the reason, where the domain keeps it."""

    reason = forms.CharField(
        label=_("Reason"), min_length=10, max_length=1000, widget=forms.Textarea
    )

    def __init__(self, *args: Any, reason_help: Any = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = reason_help
