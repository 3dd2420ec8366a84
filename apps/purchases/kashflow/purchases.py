"""``/v2/purchases``: list (filters, sort orders, pages with MetaData), get,
create, full replace (PUT) and delete."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from apps.purchases.kashflow.base import KashflowAPIView, KashflowError
from apps.purchases.kashflow.listing import (
    bool_param,
    choice_param,
    date_param,
    int_param,
    page_params,
    paged,
    text_param,
)
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
from apps.purchases.selectors import (
    FILTER_NAMES,
    FILTERS,
    ORDERS,
    SORT_FIELDS,
    SOURCES,
    TYPES,
    ListQuery,
    purchase_page,
)
from apps.purchases.services import purchase_create, purchase_delete, purchase_replace


def parse_list_query(request: Request) -> ListQuery:
    page, perpage = page_params(request)
    project = int_param(request, "projectnumber", None, minimum=0)
    purchase_type = choice_param(request, "type", TYPES, "")
    return ListQuery(
        page=page,
        perpage=perpage,
        sortby=choice_param(request, "sortby", [name for name, _ in SORT_FIELDS], "Number", numbered=True),
        order=choice_param(request, "order", ORDERS, "Asc"),
        filterby=choice_param(request, "filterby", FILTER_NAMES, "All", numbered=len(FILTERS)),
        projectnumber=project or None,
        suppliercode=text_param(request, "suppliercode", max_length=50) or None,
        searchtext=text_param(request, "searchtext"),
        type=purchase_type or None,
        issuedatefrom=date_param(request, "issuedatefrom"),
        issuedateto=date_param(request, "issuedateto"),
        source=choice_param(request, "source", SOURCES, "") or None,
        dosearchwithdueamount=bool_param(request, "dosearchwithdueamount"),
    )


LIST_PARAMETERS = [
    OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="1-based page number"),
    OpenApiParameter(
        "perpage",
        {"type": "integer", "minimum": 1, "maximum": 500},
        description="Rows per page, default 50, at most 500",
    ),
    OpenApiParameter(
        "sortby",
        OpenApiTypes.STR,
        description="Number, SupplierReference, SupplierName, PurchaseDate, PaymentDueDate, GrossAmount, "
        "NetAmount, Status, PaidDate, DueAmount, Type, Project, VAT (or 0-12)",
    ),
    OpenApiParameter("order", OpenApiTypes.STR, description="Asc or Desc"),
    OpenApiParameter(
        "filterby",
        OpenApiTypes.STR,
        description="All, Unpaid, PartPaid, Overdue, OverduePartPaid, Overpaid, Paid, NotFullyPaid, "
        "ThisMonth, LastMonth (or 0-9); NA",
    ),
    OpenApiParameter("projectnumber", {"type": "integer", "minimum": 0}, description="0 or empty: no filter"),
    OpenApiParameter("suppliercode", OpenApiTypes.STR, description="Any letter case"),
    OpenApiParameter(
        "searchtext", OpenApiTypes.STR, description="In the supplier reference, name or code, or the number"
    ),
    OpenApiParameter("type", OpenApiTypes.STR, description="Purchase or Expense"),
    OpenApiParameter("issuedatefrom", OpenApiTypes.DATE, description="Issued on or after"),
    OpenApiParameter("issuedateto", OpenApiTypes.DATE, description="Issued on or before"),
    OpenApiParameter("source", OpenApiTypes.STR, description="MatchingEngine: only purchases with money due"),
    OpenApiParameter(
        "dosearchwithdueamount", OpenApiTypes.BOOL, description="searchtext also finds purchases due that amount"
    ),
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
        rows, total, amount = purchase_page(query, today)
        data = [
            purchase_data(p, today=today, previous_number=p.previous_number, next_number=p.next_number)  # type: ignore[attr-defined]
            for p in rows
        ]
        return Response(paged(request, data, page=query.page, perpage=query.perpage, total=total, total_amount=amount))

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
        responses={
            200: PurchaseOutSerializer,
            201: PurchaseOutSerializer,
            **_errors(400, 401, 404, 409, 413, 415, 422),
        },
    )
    def put(self, request: Request, number: str) -> Response:
        purchase = self._get(number)
        data = validate(PurchaseInSerializer, self.body(request))
        old_number = purchase.number
        purchase = purchase_replace(purchase, purchase_input(data))
        # KashFlow: 201 when the body's Number renumbered the purchase.
        return Response(purchase_response(purchase.number), status=200 if purchase.number == old_number else 201)

    @extend_schema(
        operation_id="kashflow_purchases_delete",
        tags=TAG,
        parameters=[NUMBER_PARAMETER],
        responses={204: None, **_errors(400, 401, 404)},
    )
    def delete(self, request: Request, number: str) -> Response:
        purchase_delete(self._get(number))
        return Response(status=204)
