"""``/v2/customers``: finhub keeps purchases, not sales, so it has no
customers. Sync programs list customers before purchases; they get what
KashFlow answers for an account with none: an empty page with its MetaData
(and 404 for any code), not a 404 that would abort the sync."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.purchases.kashflow.base import KashflowAPIView, KashflowError
from apps.purchases.kashflow.listing import page_params, paged
from apps.purchases.kashflow.wire import TAG, MetaDataSerializer
from apps.purchases.kashflow.wire import error_responses as _errors


class CustomerListOutSerializer(serializers.Serializer):
    Data = serializers.ListField(child=serializers.DictField(), max_length=0)
    MetaData = MetaDataSerializer()


class CustomersView(KashflowAPIView):
    xml_root = "CustomerList"

    @extend_schema(
        operation_id="kashflow_customers_list",
        tags=TAG,
        parameters=[
            OpenApiParameter("page", {"type": "integer", "minimum": 1}),
            OpenApiParameter("perpage", {"type": "integer", "minimum": 1, "maximum": 500}),
        ],
        responses={200: CustomerListOutSerializer, **_errors(400, 401)},
        description="finhub keeps no customers: always an empty list.",
    )
    def get(self, request: Request) -> Response:
        page, perpage = page_params(request)
        return Response(paged(request, [], page=page, perpage=perpage, total=0))


class CustomerDetailView(KashflowAPIView):
    @extend_schema(
        operation_id="kashflow_customers_get",
        tags=TAG,
        parameters=[OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={**_errors(400, 401, 404)},
    )
    def get(self, request: Request, code: str) -> Response:
        raise KashflowError(f"There is no customer with code {code}.", code="NotFound", status=404)
