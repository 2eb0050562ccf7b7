"""OpenAPI: the one error shape, documented on every operation (drf-spectacular hook)."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "description": "Stable machine-readable code, e.g. not_found."},
        "message": {"type": "string", "description": "Human-readable explanation."},
        "fields": {
            "type": "object",
            "description": "Per-field errors (nested like the request body).",
            "additionalProperties": True,
        },
        "errors": {"type": "array", "items": {}, "description": "Errors not tied to a field."},
    },
}

ERRORS = {
    "400": "The request is not valid; `fields` says what is wrong.",
    "401": "Not authenticated, or the token is unknown or revoked.",
    "403": "Visible to you, but you may not do this.",
    "404": "Does not exist, or you may not see it (the two are indistinguishable).",
    "409": "Not allowed in the object's current state; the message says what is.",
}


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Give every operation the shared error responses it can produce."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                if status == "400" and method == "get" and not _has_query(operation):
                    continue  # a GET can only be wrong in its query (a filter, a page size)
                responses.setdefault(
                    status,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
    return result


def _has_query(operation: dict[str, Any]) -> bool:
    return any(p.get("in") == "query" for p in operation.get("parameters", []))
