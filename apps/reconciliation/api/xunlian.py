"""The Xunlian cloud wire format: the ``{body, ok, status}`` envelope, the one
exception handler that renders every failure of a Xunlian endpoint into it, and
the base view of those endpoints.

Business errors (validation, a duplicate number) are HTTP 200 with ``ok: false``
as the seed does, so callers that read ``ok`` keep working; only failures
outside the contract (auth, malformed JSON, size, content type, unknown URL,
server error) use a 4xx/5xx status, still in the envelope.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions as drf
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core import json_guard
from apps.core import messages as core_messages
from apps.core.api.base import ApiClientJsonView
from apps.core.authentication import ApiClientTokenAuthentication, KdpTokenAuthentication
from apps.core.exceptions import (
    ApplicationError,
    ConflictError,
    ValidationFailed,
)
from apps.core.kdp.parsers import RawBody
from apps.core.throttling import ClientThrottle, IpThrottle
from apps.reconciliation import messages

logger = logging.getLogger("finhub.xunlian")


# status.serviceCode: what happened, for machines; returnCode is the HTTP status.
SERVICE_CODES = {
    200: "SUCCESS",
    400: "MALFORMED_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "THROTTLED",
    500: "SERVER_ERROR",
}


def xunlian_time() -> str:
    """UTC ISO 8601 with milliseconds and Z, as the seed's ``status.time``."""
    now = timezone.now().astimezone(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def xunlian_envelope(
    *,
    path: str,
    ok: bool,
    message: Any,
    body: dict[str, Any] | None = None,
    description: dict[str, list[str]] | None = None,
    return_code: int = 200,
    service_code: str | None = None,
) -> dict[str, Any]:
    return {
        "body": body or {},
        "ok": ok,
        "status": {
            "description": description or {},
            "message": str(message),
            "path": path,
            "returnCode": str(return_code),
            "serviceCode": service_code or SERVICE_CODES.get(return_code, "ERROR"),
            "time": xunlian_time(),
        },
    }


def _description(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Field errors grouped by field path: ``{"itemList[0].unit": ["..."]}``."""
    grouped: dict[str, list[str]] = {}
    for error in errors:
        grouped.setdefault(error["field"] or "body", []).append(str(error["message"]))
    return grouped


def _request_path(context: dict[str, Any]) -> str:
    request = context.get("request")
    return getattr(request, "path", "") if request is not None else ""


def xunlian_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """Every error of a Xunlian view, expected or not, becomes the envelope."""
    path = _request_path(context)

    def error(status: int, message: Any, *, http: int | None = None, **kwargs: Any) -> Response:
        envelope = xunlian_envelope(path=path, ok=False, message=message, return_code=status, **kwargs)
        return Response(envelope, status=http if http is not None else status)

    if isinstance(exc, ValidationFailed):
        # A business answer: HTTP 200, ok false, the field errors in description.
        return error(
            200,
            exc.message,
            description=_description(exc.errors),
            service_code=getattr(exc, "service_code", "VALIDATION_FAILED"),
        )
    if isinstance(exc, ConflictError):
        return error(200, exc.message, service_code=getattr(exc, "service_code", "CONFLICT"))
    if isinstance(exc, json_guard.JsonRejected):
        return error(exc.status_code, exc.message, service_code="MALFORMED_JSON" if exc.status_code == 400 else None)
    if isinstance(exc, ApplicationError):
        return error(exc.status_code, exc.message)
    if isinstance(exc, drf.ParseError):
        return error(400, core_messages.MALFORMED_JSON.format(detail=exc.detail), service_code="MALFORMED_JSON")
    if isinstance(exc, drf.UnsupportedMediaType):
        return error(415, core_messages.UNSUPPORTED_MEDIA_TYPE)
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        message = messages.UNAUTHENTICATED if isinstance(exc, drf.NotAuthenticated) else messages.TOKEN_INVALID
        response = error(401, message)
        response["WWW-Authenticate"] = getattr(exc, "auth_header", None) or "Token"
        return response
    if isinstance(exc, drf.PermissionDenied):
        return error(403, messages.FORBIDDEN)
    if isinstance(exc, drf.MethodNotAllowed):
        request = context.get("request")
        return error(405, core_messages.METHOD_NOT_ALLOWED.format(method=getattr(request, "method", "")))
    if isinstance(exc, drf.NotFound | Http404):
        return error(404, core_messages.NOT_FOUND)
    if isinstance(exc, drf.Throttled):
        wait = int(getattr(exc, "wait", None) or 1)
        response = error(429, core_messages.THROTTLED.format(wait=wait))
        response["Retry-After"] = str(wait)
        return response
    if isinstance(exc, drf.APIException):
        return error(exc.status_code, exc.detail)
    error_id = uuid.uuid4().hex
    logger.exception("Unexpected error %s in Xunlian endpoint %s", error_id, path, exc_info=exc)
    return error(500, core_messages.SERVER_ERROR.format(error_id=error_id))


def load_json(raw: RawBody) -> Any:
    """Load a (small) body through the JSON guard: fractions become Decimal, never
    float; NaN, Infinity and text that is not UTF-8 are malformed (400); too deep,
    a lone surrogate, a repeated key (400) or an over-long string (413) are refused."""
    return json_guard.loads(raw.file.read())


class XunlianAPIView(ApiClientJsonView):
    """Base of the Xunlian endpoints: an API client's token (``Authorization:
    Token <t>`` or the KDP ``token`` header), JSON only, a size limit, and the
    envelope for every answer. Subclasses implement ``handle_payload``."""

    authentication_classes = [ApiClientTokenAuthentication, KdpTokenAuthentication]
    throttle_classes = [IpThrottle, ClientThrottle]
    throttle_scope = "xunlian"

    @property
    def max_body_bytes(self) -> int:  # type: ignore[override]
        return settings.RECONCILIATION_MAX_BODY_BYTES

    def get_exception_handler(self) -> Any:
        return xunlian_exception_handler

    def payload(self, request: Request) -> Any:
        return load_json(self.raw_body(request))

    def success(self, request: Request, body: dict[str, Any], message: Any) -> Response:
        return Response(xunlian_envelope(path=request.path, ok=True, message=message, body=body))


@csrf_exempt  # a POST to an unknown URL is a 404 in the envelope, not Django's CSRF page
def xunlian_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any unknown URL under the Xunlian prefix answers in the envelope, not with HTML."""
    envelope = xunlian_envelope(path=request.path, ok=False, message=core_messages.NOT_FOUND, return_code=404)
    return JsonResponse(envelope, status=404, json_dumps_params={"ensure_ascii": False})
