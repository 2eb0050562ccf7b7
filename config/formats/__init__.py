"""The one date style of the service, per language (``FORMAT_MODULE_PATH``).

Dates follow the conventions of Dutch government writing: "1 dec. 2026"; an appointment in the
coming weeks "ma 7 dec. 12:00"; a moment on record "1 dec. 2026 14:05"; date fields day-month-year
("01-12-2026"). Templates use only these names: ``|date`` (DATE_FORMAT),
``|date:"DATETIME_FORMAT"``, ``|date:"SHORT_DATETIME_FORMAT"``, ``|date:"MONTH_DAY_FORMAT"``,
``|time``; Python uses ``django.utils.formats.date_format`` with the same names, and
``mda.dates`` for the weekday forms that Django has no name for.
"""

from django.utils.translation import pgettext_lazy

# Dutch abbreviates months with a full stop, except "mei" (Taalunie, Rijksoverheid). Django's
# "N" format reads these "abbrev. month" messages; the Dutch catalogue of this project gives them
# the Dutch abbreviations instead of Django's own translations (which drop the full stop).
MONTH_ABBREVIATIONS = (
    pgettext_lazy("abbrev. month", "Jan."),
    pgettext_lazy("abbrev. month", "Feb."),
    pgettext_lazy("abbrev. month", "March"),
    pgettext_lazy("abbrev. month", "April"),
    pgettext_lazy("abbrev. month", "May"),
    pgettext_lazy("abbrev. month", "June"),
    pgettext_lazy("abbrev. month", "July"),
    pgettext_lazy("abbrev. month", "Aug."),
    pgettext_lazy("abbrev. month", "Sept."),
    pgettext_lazy("abbrev. month", "Oct."),
    pgettext_lazy("abbrev. month", "Nov."),
    pgettext_lazy("abbrev. month", "Dec."),
)
