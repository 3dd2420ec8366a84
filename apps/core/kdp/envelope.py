"""The KDP envelope ``{code, msg, data?, errors?, errorCount?}`` and the one
exception handler that renders every failure of a KDP endpoint into it."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response

from apps.core import messages
from apps.core.exceptions import ApplicationError, ValidationFailed

logger = logging.getLogger("finhub.kdp")


def kdp_success(data: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": 0, "msg": messages.SUCCESS}
    if data is not None:
        body["data"] = data
    return body


def kdp_error(status: int, msg: Any, **extra: Any) -> Response:
    body: dict[str, Any] = {"code": status, "msg": str(msg)}
    body.update({key: value for key, value in extra.items() if value is not None})
    return Response(body, status=status)


def _drf_validation_errors(detail: Any) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    if isinstance(detail, dict):
        for field, problems in detail.items():
            for problem in problems if isinstance(problems, list) else [problems]:
                errors.append({"index": 0, "field": field, "message": str(problem)})
    elif isinstance(detail, list):
        errors.extend({"index": 0, "field": "", "message": str(p)} for p in detail)
    return errors


def kdp_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """Every error of a KDP view, including unexpected ones, becomes an envelope
    whose ``code`` equals the HTTP status; never an HTML page."""
    if isinstance(exc, ValidationFailed):
        return kdp_error(
            exc.status_code,
            exc.message,
            errors=exc.errors[:100],
            errorCount=exc.error_count,
            **exc.extra,
        )
    if isinstance(exc, ApplicationError):
        return kdp_error(exc.status_code, exc.message, **exc.extra)
    if isinstance(exc, drf.ParseError):
        return kdp_error(400, messages.MALFORMED_JSON.format(detail=exc.detail))
    if isinstance(exc, drf.UnsupportedMediaType):
        return kdp_error(415, messages.UNSUPPORTED_MEDIA_TYPE)
    if isinstance(exc, drf.NotAuthenticated):
        return kdp_error(401, messages.TOKEN_MISSING)
    if isinstance(exc, drf.AuthenticationFailed):
        return kdp_error(401, messages.TOKEN_INVALID)
    if isinstance(exc, drf.PermissionDenied):
        return kdp_error(403, messages.PERMISSION_DENIED)
    if isinstance(exc, drf.Throttled):
        wait = int(getattr(exc, "wait", None) or 1)
        response = kdp_error(429, messages.THROTTLED.format(wait=wait))
        response["Retry-After"] = str(wait)
        return response
    if isinstance(exc, drf.MethodNotAllowed):
        request = context.get("request")
        return kdp_error(405, messages.METHOD_NOT_ALLOWED.format(method=getattr(request, "method", "")))
    if isinstance(exc, drf.NotFound | Http404):
        return kdp_error(404, messages.NOT_FOUND)
    if isinstance(exc, drf.ValidationError):
        errors = _drf_validation_errors(exc.detail)
        return kdp_error(
            400, messages.VALIDATION_FAILED.format(count=len(errors)), errors=errors, errorCount=len(errors)
        )
    if isinstance(exc, drf.APIException):
        return kdp_error(exc.status_code, exc.detail)
    error_id = uuid.uuid4().hex
    logger.exception("Unexpected error %s in KDP endpoint", error_id, exc_info=exc)
    return kdp_error(500, messages.SERVER_ERROR.format(error_id=error_id), errorId=error_id)
