from __future__ import annotations

import logging
import uuid
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core import messages
from apps.core.api.serializers import (
    HealthSerializer,
    ImportJobSerializer,
    KdpEnvelopeSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)
from apps.core.exceptions import ValidationFailed
from apps.core.filters import ImportJobFilterSet
from apps.core.kdp.envelope import kdp_success
from apps.core.kdp.parsers import RawBody
from apps.core.kdp.views import KdpAPIView, load_small_json
from apps.core.models import ImportJob
from apps.core.schema import kdp_header_parameters
from apps.core.services import api_token_issue
from apps.core.throttling import throttle_identity

KDP_ERROR_RESPONSES = {
    status: OpenApiResponse(KdpEnvelopeSerializer, description=text)
    for status, text in {
        400: "Invalid headers or body",
        401: "Missing, unknown or expired token",
        403: "sys does not match the client, or the client lacks the endpoint's scope",
        409: "traceId conflict, or an import of the same scope is running",
        413: "Body too large",
        415: "Content-Type is not application/json",
        429: "Throttled",
        503: "The import queue (broker) is not reachable; nothing was imported",
    }.items()
}


class TokenView(KdpAPIView):
    """``POST /inventory-server/api/auth/token``: appKey + appSecret -> access token."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    kdp_headers_required = False
    idempotent = False
    max_body_bytes = 64 * 1024
    throttle_scope = "kdp"

    @extend_schema(
        operation_id="kdp_auth_token",
        tags=["KDP (SAP)"],
        request=TokenRequestSerializer,
        parameters=kdp_header_parameters(client_headers=False),
        responses={200: TokenResponseSerializer, **{s: KDP_ERROR_RESPONSES[s] for s in (400, 401, 413, 415, 429)}},
        auth=[],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return super().post(request, *args, **kwargs)

    def handle_body(self, request: Request, raw: RawBody) -> Response:
        payload = load_small_json(raw)
        if not isinstance(payload, dict):
            payload = {}
        serializer = TokenRequestSerializer(data=payload)
        if not serializer.is_valid():
            errors = [
                {"index": 0, "field": field, "message": str(problems[0])}
                for field, problems in serializer.errors.items()
            ]
            raise ValidationFailed(errors=errors)
        # Per appKey as well as per address: guessing one client's secret from many addresses is bounded too.
        throttle_identity(self.throttle_scope, serializer.validated_data["appKey"])
        issued = api_token_issue(
            app_key=serializer.validated_data["appKey"], app_secret=serializer.validated_data["appSecret"]
        )
        return Response(kdp_success({"token": issued.token, "expiresIn": issued.expires_in}))


@extend_schema(tags=["Imports"])
class ImportJobViewSet(viewsets.ReadOnlyModelViewSet):
    """Import jobs of every kind: status, progress, counts and first errors."""

    queryset = ImportJob.objects.select_related("client").order_by("-created_at")
    serializer_class = ImportJobSerializer
    filterset_class = ImportJobFilterSet
    ordering_fields = ["created_at", "started_at", "finished_at", "kind", "scope", "status"]
    # Any id reaches the view, so a malformed one is a JSON 404 rather than
    # Django's HTML page; the schema types it as a UUID.
    lookup_field = "public_id"


class HealthView(APIView):
    """Liveness and readiness: the database answers and the broker (when configured) answers."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        tags=["Health"],
        responses={
            200: OpenApiResponse(HealthSerializer, description="The database and the broker answer"),
            503: OpenApiResponse(HealthSerializer, description="A dependency does not answer"),
        },
        parameters=[OpenApiParameter("format", str, required=False, exclude=True)],
        auth=[],
    )
    def get(self, request: Request) -> Response:
        from apps.core.health import check_broker, check_database

        checks = {"database": check_database(connection), "broker": check_broker()}
        healthy = all(result["ok"] for result in checks.values())
        return Response(
            {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
        )


def server_error(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
    """Django's 500 handler (an error outside any view's own handler): JSON with an
    error id under /api/, Django's page elsewhere. Django logs the traceback just
    before; the id is logged with the path next to it."""
    if request.path.startswith("/api/"):
        error_id = uuid.uuid4().hex
        logging.getLogger("finhub.api").error("Server error %s at %s", error_id, request.path)
        return JsonResponse(
            {"detail": str(messages.SERVER_ERROR.format(error_id=error_id)), "errorId": error_id}, status=500
        )
    return defaults.server_error(request, *args, **kwargs)


@csrf_exempt  # a POST to an unknown URL is a 404 in the envelope, not Django's CSRF page
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown URLs under /api/ (e.g. an id the router's pattern refuses) answer in
    DRF's JSON error shape, not with Django's HTML page."""
    return JsonResponse({"detail": "Not found."}, status=404)
