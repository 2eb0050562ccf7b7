"""One error shape for the whole API: ``{"code": ..., "message": ..., "fields": {...}}``."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from mda.errors import Conflict
from mda.transactions import transient_sqlstate

logger = logging.getLogger(__name__)


_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    429: "throttled",
}


def _field_errors(detail: Any) -> Any:
    """DRF's nested error detail as plain JSON: dicts by field, lists by position."""
    if isinstance(detail, dict):
        return {str(key): _field_errors(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if any(isinstance(item, dict | list) for item in detail):
            return [_field_errors(item) for item in detail]
        return [str(item) for item in detail]
    return [str(detail)]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    if transient_sqlstate(exc):
        # A deadlock or serialisation failure: the request's transaction is rolled back and run
        # once more by mda.transactions, which must see the error.
        raise exc
    if isinstance(exc, Conflict):
        set_rollback()
        return Response({"code": exc.code, "message": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("You may not do this."))
    elif isinstance(exc, DjangoValidationError):
        # A service refused the input: same shape as a serializer's field errors.
        fields = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail=fields)
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled API error", exc_info=exc)
        return Response(
            {"code": "server_error", "message": _("Something went wrong on our side.")},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    assert isinstance(exc, exceptions.APIException)
    detail = exc.detail
    if isinstance(detail, dict | list):
        body: dict[str, Any] = {
            "code": "invalid",
            "message": _("The request is not valid; see the fields for what is wrong."),
        }
        if isinstance(detail, dict):
            body["fields"] = _field_errors(detail)
        else:
            body["errors"] = _field_errors(detail)
    else:
        generic = _CODES.get(response.status_code, "error")
        body = {
            "code": generic,
            "message": str(detail),
        }
    response.data = body
    return response


def json_error(request: HttpRequest, status_code: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status_code)
