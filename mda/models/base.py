"""The base of the service's models: ``full_clean`` without the look-ups a service's own rows
make needless.

Django's ``full_clean`` asks the database, with one query each, whether every foreign key's row
exists and whether a new row's primary key is free. The services build their rows from rows they
have just read or written (``note.case = case``) and give new rows a random UUID: those answers are
known. They were 7% of all statements in the test suite, and on PostgreSQL each is a round trip
within the user's request. Here both are skipped where the answer is known:

- a foreign key that holds a row read or saved in this process (``_state.adding`` is False, and
  the key is that row's): the database's foreign-key constraint still holds it at COMMIT, as it
  does a row deleted after the check;
- a new row's unique UUID (its primary key, or a ``uuid`` beside it) that the model's ``uuid4``
  default made and nobody edits (``editable=False``): a clash is a chance of one in 2**122, and the
  unique constraint would still refuse it.

Everything else is validated as before: field values, keys given as bare ids (a form's choice),
unique fields and constraints (the same query, when a rule needs it).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from django.db import models


def _holds_read_row(instance: models.Model, field: Any) -> bool:
    if not (field.many_to_one or field.one_to_one) or not field.is_cached(instance):
        return False
    related = field.get_cached_value(instance)
    return (
        related is not None
        and not related._state.adding
        and related._state.db is not None
        and getattr(instance, field.attname) == getattr(related, field.target_field.attname)
    )


class Model(models.Model):
    class Meta:
        abstract = True

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        known = {
            f.name for f in self._meta.concrete_fields if f.is_relation and _holds_read_row(self, f)
        }
        super().clean_fields(exclude={*(exclude or ()), *known})

    def validate_unique(self, exclude: Collection[str] | None = None) -> None:
        if self._state.adding:
            made = {
                f.name
                for f in self._meta.concrete_fields
                if f.unique and not f.editable and f.default is uuid.uuid4
            }
            exclude = {*(exclude or ()), *made}
        super().validate_unique(exclude=exclude)
