"""``/v2/purchases``: list (filters, sort orders, pages with MetaData), get,
create, full replace (PUT) and delete."""

from __future__ import annotations

import math

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from apps.purchases.kashflow.base import KashflowAPIView, KashflowError
from apps.purchases.kashflow.listing import choice_param, int_param, page_urls
from apps.purchases.kashflow.purchase_input import PurchaseInSerializer, purchase_input
from apps.purchases.kashflow.purchase_output import (
    PurchaseListOutSerializer,
    PurchaseOutSerializer,
    purchase_data,
    purchase_response,
)
from apps.purchases.kashflow.wire import IDEMPOTENCY_HEADER, TAG, validate
from apps.purchases.kashflow.wire import error_responses as _errors
from apps.purchases.models import Purchase
from apps.purchases.selectors import FILTERS, ORDERS, SORT_FIELDS, ListQuery, purchase_page
from apps.purchases.services import purchase_create, purchase_delete, purchase_replace

MAX_PER_PAGE = 500


def parse_list_query(request: Request) -> ListQuery:
    perpage = int_param(request, "perpage", 50) or 50
    project = int_param(request, "projectnumber", None, minimum=0)
    return ListQuery(
        page=int_param(request, "page", 1) or 1,
        perpage=min(perpage, MAX_PER_PAGE),
        sortby=choice_param(request, "sortby", [name for name, _ in SORT_FIELDS], "Number", numbered=True),
        order=choice_param(request, "order", ORDERS, "Asc"),
        filterby=choice_param(request, "filterby", FILTERS, "All"),
        projectnumber=project or None,
        suppliercode=request.query_params.get("suppliercode", "").strip() or None,
    )


LIST_PARAMETERS = [
    OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="1-based page number"),
    OpenApiParameter(
        "perpage", {"type": "integer", "minimum": 1}, description="Rows per page, default 50, at most 500"
    ),
    OpenApiParameter(
        "sortby",
        OpenApiTypes.STR,
        description="Number, SupplierReference, SupplierName, PurchaseDate, "
        "PaymentDueDate, GrossAmount, NetAmount, Status, PaidDate (or 0-8)",
    ),
    OpenApiParameter("order", OpenApiTypes.STR, description="Asc or Desc"),
    OpenApiParameter(
        "filterby", OpenApiTypes.STR, description="All, Unpaid, Overdue, Overpaid, Paid, ThisMonth, LastMonth"
    ),
    OpenApiParameter("projectnumber", {"type": "integer", "minimum": 0}, description="0 or empty: no filter"),
    OpenApiParameter("suppliercode", OpenApiTypes.STR),
]


class PurchasesView(KashflowAPIView):
    xml_root = "Purchase"

    @extend_schema(
        operation_id="kashflow_purchases_list",
        tags=TAG,
        parameters=LIST_PARAMETERS,
        responses={200: PurchaseListOutSerializer, **_errors(400, 401)},
    )
    def get(self, request: Request) -> Response:
        self.xml_root = "PurchaseList"
        query = parse_list_query(request)
        today = timezone.localdate()
        rows, total = purchase_page(query, today)
        last = max(1, math.ceil(total / query.perpage))
        page_url = page_urls(request, query.perpage)
        data = [
            purchase_data(p, today=today, previous_number=p.previous_number, next_number=p.next_number)  # type: ignore[attr-defined]
            for p in rows
        ]
        return Response(
            {
                "Data": data,
                "MetaData": {
                    "FirstPageUrl": page_url(1),
                    "LastPageUrl": page_url(last),
                    "NextPageUrl": page_url(query.page + 1) if query.page < last else None,
                    "PreviousPageUrl": page_url(min(query.page - 1, last)) if query.page > 1 else None,
                    "TotalRecords": total,
                },
            }
        )

    @extend_schema(
        operation_id="kashflow_purchases_create",
        tags=TAG,
        parameters=[IDEMPOTENCY_HEADER],
        request=PurchaseInSerializer,
        responses={201: PurchaseOutSerializer, **_errors(400, 401, 409, 413, 415, 422)},
    )
    def post(self, request: Request) -> Response:
        data = validate(PurchaseInSerializer, self.body(request))
        purchase = purchase_create(purchase_input(data), require_lines=True)
        return Response(purchase_response(purchase.number), status=201)


NUMBER_PARAMETER = OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH, description="Purchase number")


class PurchaseDetailView(KashflowAPIView):
    xml_root = "Purchase"

    def _get(self, number: str) -> Purchase:
        valid = number.isascii() and number.isdigit() and len(number) <= 18
        purchase = Purchase.objects.filter(number=int(number)).first() if valid else None
        if purchase is None:
            raise KashflowError(f"There is no purchase with number {number}.", code="NotFound", status=404)
        return purchase

    @extend_schema(
        operation_id="kashflow_purchases_get",
        tags=TAG,
        parameters=[NUMBER_PARAMETER],
        responses={200: PurchaseOutSerializer, **_errors(400, 401, 404)},
    )
    def get(self, request: Request, number: str) -> Response:
        return Response(purchase_response(self._get(number).number))

    @extend_schema(
        operation_id="kashflow_purchases_replace",
        tags=TAG,
        parameters=[NUMBER_PARAMETER, IDEMPOTENCY_HEADER],
        request=PurchaseInSerializer,
        responses={200: PurchaseOutSerializer, **_errors(400, 401, 404, 409, 413, 415, 422)},
    )
    def put(self, request: Request, number: str) -> Response:
        purchase = self._get(number)
        data = validate(PurchaseInSerializer, self.body(request))
        purchase = purchase_replace(purchase, purchase_input(data))
        return Response(purchase_response(purchase.number))

    @extend_schema(
        operation_id="kashflow_purchases_delete",
        tags=TAG,
        parameters=[NUMBER_PARAMETER],
        responses={204: None, **_errors(400, 401, 404)},
    )
    def delete(self, request: Request, number: str) -> Response:
        purchase_delete(self._get(number))
        return Response(status=204)
