"""Dutch: "1 dec. 2026", "ma 7 dec. 12:00", "1 dec. 2026 14:05", fields "01-12-2026"."""

DATE_FORMAT = "j N Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j N Y H:i"
# An appointment in the coming weeks: weekday, day, month and time; the year goes without saying.
SHORT_DATETIME_FORMAT = "D j N H:i"
SHORT_DATE_FORMAT = "d-m-Y"
MONTH_DAY_FORMAT = "j N"
YEAR_MONTH_FORMAT = "F Y"
# Not Django names: read through mda.dates.
WEEKDAY_DATE_FORMAT = "D j N Y"
FIRST_DAY_OF_WEEK = 1
DATE_INPUT_FORMATS = ["%d-%m-%Y", "%d-%m-%y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d"]
TIME_INPUT_FORMATS = ["%H:%M", "%H.%M", "%H:%M:%S"]
DATETIME_INPUT_FORMATS = [
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y %H.%M",
    "%d-%m-%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
