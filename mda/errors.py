"""Domain errors that services raise, independent of HTTP.

A ``Conflict`` means the request is well-formed but does not fit the current state (a status
change that is not possible from here, a step whose condition is not met yet). The API's one
exception handler answers it with 409 and its stable ``code``; web views show its message.
Wrong input stays Django's ``ValidationError`` (400), not yours stays ``Http404``.
"""

from __future__ import annotations


class Conflict(Exception):
    code = "conflict"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def extra(self) -> dict[str, object]:
        """More of the answer's JSON body beside ``code`` and ``message`` (none by default)."""
        return {}
