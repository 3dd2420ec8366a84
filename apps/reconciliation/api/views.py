from __future__ import annotations

import json
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.permissions import FinanceReadPermission
from apps.core.scopes import ApiScope
from apps.reconciliation import messages
from apps.reconciliation.api.match import StatementMatchSerializer, match_payload
from apps.reconciliation.api.serializers import (
    ErrorDetailSerializer,
    ReconciliationStatementSerializer,
    XunlianEnvelopeSerializer,
    XunlianStatementRequestSerializer,
)
from apps.reconciliation.api.xunlian import XunlianAPIView
from apps.reconciliation.demo import EXAMPLE_STATEMENT_JSON
from apps.reconciliation.filters import ReconciliationStatementFilterSet
from apps.reconciliation.models import ReconciliationStatement
from apps.reconciliation.selectors import statement_list, statement_match_result
from apps.reconciliation.services import Trigger, statement_create, statement_match
from apps.reconciliation.validation import parse_statement

XUNLIAN_ERRORS = {
    status: OpenApiResponse(XunlianEnvelopeSerializer, description=text)
    for status, text in {
        400: "Malformed JSON or an empty body (ok false).",
        401: "No token, or an unknown, revoked or expired one (ok false).",
        403: "The caller is not an API client, or lacks the reconciliation:write scope (ok false).",
        405: "Method not allowed (ok false).",
        413: "The body is larger than RECONCILIATION_MAX_BODY_BYTES (ok false).",
        415: "Content-Type is not application/json (ok false).",
        429: "Too many requests from this client or address; see Retry-After (ok false).",
        500: "Unexpected error; the message quotes an error id (ok false).",
    }.items()
}


class SaveReconForApiView(XunlianAPIView):
    """``POST /reconciliation/saveReconForApi``: a supplier's statement arrives."""

    required_scope = ApiScope.RECONCILIATION_WRITE

    @extend_schema(
        operation_id="xunlian_save_recon_for_api",
        tags=["Xunlian reconciliation"],
        summary="Create a reconciliation statement",
        description=(
            "Validates and stores a statement. HTTP 200 with ok true and the new "
            "reconciliationUuid, or HTTP 200 with ok false for a business error (field errors "
            "in status.description; a repeated reconciliationNo answers 对账单号已经存在, "
            "English with Accept-Language: en). Messages are Chinese unless Accept-Language asks "
            "for English."
        ),
        request=XunlianStatementRequestSerializer,
        parameters=[
            OpenApiParameter(
                "Accept-Language",
                str,
                OpenApiParameter.HEADER,
                required=False,
                enum=["zh", "zh-CN", "en", "en-US"],
                description="Language of the messages (en...: English; anything else or none: Chinese).",
            )
        ],
        responses={
            200: OpenApiResponse(
                XunlianEnvelopeSerializer,
                description="ok true: stored; ok false: invalid or duplicate, nothing stored.",
            ),
            **XUNLIAN_ERRORS,
        },
        examples=[
            OpenApiExample(
                "The Xunlian document's example",
                request_only=True,
                # Parsed without Decimal: only rendered into the OpenAPI document.
                value={**json.loads(EXAMPLE_STATEMENT_JSON), "reconciliationNo": "DOC-EXAMPLE-0001"},
            ),
            OpenApiExample(
                "Duplicate number",
                response_only=True,
                status_codes=["200"],
                value={
                    "body": {},
                    "ok": False,
                    "status": {
                        "description": {},
                        "message": "对账单号已经存在",
                        "path": "/reconciliation/saveReconForApi",
                        "returnCode": "200",
                        "serviceCode": "DUPLICATE_RECONCILIATION_NO",
                        "time": "2019-05-15T06:34:06.874Z",
                    },
                },
            ),
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        statement = statement_create(statement=parse_statement(self.payload(request)), client=self.client)
        return self.success(request, {"reconciliationUuid": str(statement.public_id)}, messages.STATEMENT_RECEIVED)


READ_ERRORS = {
    401: OpenApiResponse(ErrorDetailSerializer, description="Not authenticated (token schemes)."),
    403: OpenApiResponse(ErrorDetailSerializer, description="Not authenticated (session) or no view permission."),
}


class MatchRunPermission(FinanceReadPermission):
    """Reading a match needs the view permission on statements; running one the change permission."""

    perms_map = {**FinanceReadPermission.perms_map, "POST": ["%(app_label)s.change_%(model_name)s"]}


@extend_schema(tags=["Reconciliation"])
@extend_schema_view(
    list=extend_schema(
        responses={
            200: ReconciliationStatementSerializer(many=True),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid filter value: field -> errors."),
            404: OpenApiResponse(ErrorDetailSerializer, description="Page out of range."),
            **READ_ERRORS,
        }
    ),
    retrieve=extend_schema(
        responses={
            200: ReconciliationStatementSerializer,
            404: OpenApiResponse(ErrorDetailSerializer, description="No statement with this id."),
            **READ_ERRORS,
        }
    ),
)
class ReconciliationStatementViewSet(viewsets.ReadOnlyModelViewSet):
    """Reconciliation statements with their lines, newest first."""

    queryset = statement_list().order_by("-created_at", "-pk")
    serializer_class = ReconciliationStatementSerializer
    filterset_class = ReconciliationStatementFilterSet
    ordering_fields = [
        "created_at",
        "start_time",
        "end_time",
        "reconciliation_no",
        "supplier_name",
        "buyer_name",
        "status",
        "reviewed_at",
    ]
    lookup_field = "public_id"
    lookup_value_regex = "[^/]+"  # a malformed id is a JSON 404 from the view, not an HTML one


class StatementMatchView(generics.GenericAPIView):
    """``/api/v1/reconciliations/<uuid>/match/``: the stored match (view
    permission on statements) and a re-run now (change permission)."""

    queryset = ReconciliationStatement.objects.all()
    serializer_class = StatementMatchSerializer
    permission_classes = [MatchRunPermission]
    filter_backends: list[Any] = []
    pagination_class = None
    lookup_field = "public_id"

    @extend_schema(
        tags=["Reconciliation"],
        summary="The statement's stored match against purchases",
        description=(
            "The result of the last run: status (all_matched, differences, unknown_supplier, ambiguous_supplier, "
            "other_buyer, or not_run), when it ran and against which purchases (ids and versions), the totals "
            "and the difference by kind, and the match table. Differences are statement minus purchases."
        ),
        responses={
            200: StatementMatchSerializer,
            404: OpenApiResponse(ErrorDetailSerializer, description="No statement with this id."),
            **READ_ERRORS,
        },
    )
    def get(self, request: Request, public_id: str) -> Response:
        statement = self.get_object()
        return Response(StatementMatchSerializer(match_payload(statement, statement_match_result(statement))).data)

    @extend_schema(
        tags=["Reconciliation"],
        summary="Match the statement again now",
        description="Runs the match against the purchases as they are now, stores it and returns it. "
        "Needs the change permission on statements.",
        request=None,
        responses={
            200: StatementMatchSerializer,
            404: OpenApiResponse(ErrorDetailSerializer, description="No statement with this id."),
            **READ_ERRORS,
        },
    )
    def post(self, request: Request, public_id: str) -> Response:
        statement = self.get_object()
        user = request.user if getattr(request.user, "pk", None) else None
        statement_match(statement=statement, trigger=Trigger.API, by=user)
        return Response(StatementMatchSerializer(match_payload(statement, statement_match_result(statement))).data)
