"""OpenAPI descriptions of finhub's authentication schemes and of the errors of
the internal read API (drf-spectacular)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter


class KdpTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.core.authentication.KdpTokenAuthentication"
    name = "kdpToken"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {
            "type": "apiKey",
            "in": "header",
            "name": "token",
            "description": "Token from /inventory-server/api/auth/token",
        }


class ApiClientTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.core.authentication.ApiClientTokenAuthentication"
    name = "apiClientToken"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>` with a token from /inventory-server/api/auth/token",
        }


# --- errors of the internal read API ------------------------------------------

API_V1_PREFIX = "/api/v1/"

API_ERROR_SCHEMA = {
    "type": "object",
    "description": "A DRF error: one sentence in `detail`.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
API_FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "Invalid query parameters: the messages for each parameter.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


def _error(description: str, component: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def document_api_v1_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every /api/v1/ operation documents the
    errors DRF answers for it, so that each viewset need not repeat them:

    - 403 for a caller who is not logged in, has an unknown token or lacks the view
      permission (SessionAuthentication comes first and sends no WWW-Authenticate
      challenge, so DRF answers 403 rather than 401);
    - 404 for an unknown id, or a page past the end of a list;
    - 400 when a filter parameter does not parse (django-filter), or is unknown;
    - 414 (from the web server) when the request line is too long.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for path, operations in result.get("paths", {}).items():
        if not path.startswith(API_V1_PREFIX):
            continue
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            parameters = operation.get("parameters", [])
            schemas.setdefault("ApiError", API_ERROR_SCHEMA)
            responses.setdefault("403", _error("Not logged in, unknown token, or no permission", "ApiError"))
            has_path_id = any(p.get("in") == "path" for p in parameters)
            is_paginated = any(p.get("in") == "query" and p.get("name") == "page" for p in parameters)
            if has_path_id or is_paginated:
                responses.setdefault("404", _error("No such record, or no such page", "ApiError"))
            if any(p.get("in") == "query" for p in parameters):
                schemas.setdefault("ApiFieldErrors", API_FIELD_ERRORS_SCHEMA)
                responses.setdefault("400", _error("A query parameter is invalid or unknown", "ApiFieldErrors"))
                # Answered by the web server (gunicorn limit_request_line), not by Django: no JSON body.
                responses.setdefault("414", {"description": "The request line is longer than 8190 bytes"})
    return result


# --- the KDP headers ---------------------------------------------------------------


def kdp_header_parameters(*, client_headers: bool = True) -> list[OpenApiParameter]:
    """The headers a KDP operation reads (``token`` is the security scheme): with
    ``client_headers`` the ones every authenticated call sends (apps.core.kdp.views
    checks them: 400 when missing or malformed, 403 when sys is not the client's),
    and always ``lang``, the language of the messages."""
    parameters = [
        OpenApiParameter(
            "lang",
            str,
            OpenApiParameter.HEADER,
            required=False,
            enum=["en", "en-US", "zh", "zh-CN"],
            description="Language of the messages (zh...: Chinese; anything else or none: English).",
        )
    ]
    if not client_headers:
        return parameters
    return [
        OpenApiParameter(
            "sys",
            str,
            OpenApiParameter.HEADER,
            required=True,
            enum=list(settings.KDP_SYSTEM_CODES),
            description="The calling client's system code (403 when it is not the client's).",
        ),
        OpenApiParameter(
            "traceId",
            OpenApiTypes.UUID,
            OpenApiParameter.HEADER,
            required=True,
            description="A new UUID per request: a repeat with the same body replays the first answer "
            "(Idempotent-Replayed: true), with another body is 409.",
        ),
        OpenApiParameter(
            "deviceType", OpenApiTypes.INT, OpenApiParameter.HEADER, required=False, description="An integer."
        ),
        OpenApiParameter("uid", OpenApiTypes.INT, OpenApiParameter.HEADER, required=False, description="An integer."),
        *parameters,
    ]
