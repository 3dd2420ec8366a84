"""The KashFlow REST v2 endpoints: session tokens and purchases."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions as drf
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response

from apps.purchases.kashflow.base import (
    KashflowAPIView,
    KashflowError,
    KfTokenAuthentication,
    _classify,
    _drf_field_errors,
)
from apps.purchases.kashflow.serializers import (
    ErrorSerializer,
    PurchaseInSerializer,
    PurchaseListOutSerializer,
    PurchaseListResultSerializer,
    PurchaseOutSerializer,
    SessionFinishSerializer,
    SessionInfoSerializer,
    SessionOutSerializer,
    SessionStartOutSerializer,
    SessionStartSerializer,
    kf_date,
    kf_datetime,
    purchase_data,
    purchase_input,
)
from apps.purchases.models import KashflowToken, PaymentLine, Purchase
from apps.purchases.selectors import FILTERS, ORDERS, SORT_FIELDS, ListQuery, purchase_detail, purchase_page
from apps.purchases.services import purchase_create, purchase_delete, purchase_replace, round2
from apps.purchases.sessions import revoke_token, sign_in_finish, sign_in_start

TAG = ["KashFlow v2"]
ERRORS = {
    status: OpenApiResponse(ErrorSerializer, description=text)
    for status, text in {
        400: "Invalid request (field names in Message)",
        401: "Missing, invalid or expired session token",
        404: "No such purchase",
        405: "Method not allowed",
        409: "Idempotency-Key in use by a request still running",
        413: "Body too large",
        415: "Content-Type is not JSON or XML",
        422: "Idempotency-Key reused with a different request",
    }.items()
}
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Retrying with the same key and body replays the first response.",
)
MAX_PER_PAGE = 500
MAX_BATCH = 1000


def _errors(*statuses: int) -> dict[int, OpenApiResponse]:
    return {s: ERRORS[s] for s in statuses}


def _validate(serializer_class: type, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise KashflowError(
            "Validation failed: " + "; ".join(_drf_field_errors(serializer.errors)), code="ValidationError"
        )
    return serializer.validated_data


# --- session tokens ---------------------------------------------------------------


class SessionTokenView(KashflowAPIView):
    """``POST`` user name + password -> temporary token and memorable word positions;
    ``PUT`` temporary token + characters -> session token; ``GET`` the current
    session (a cheap authenticated call); ``DELETE`` ends the current session."""

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        self._signing_in = request.method in ("POST", "PUT")
        return super().initialize_request(request, *args, **kwargs)

    def get_authenticators(self) -> list[Any]:
        return [] if getattr(self, "_signing_in", False) else [KfTokenAuthentication()]

    def get_permissions(self) -> list[Any]:
        if getattr(self, "_signing_in", False):
            return [permissions.AllowAny()]
        return list(super().get_permissions())

    @extend_schema(
        operation_id="kashflow_sessiontoken_start",
        tags=TAG,
        request=SessionStartSerializer,
        responses={200: SessionStartOutSerializer, **_errors(400, 401, 413, 415)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = _validate(SessionStartSerializer, self.body(request))
        step = sign_in_start(username=data["UserName"], password=data["Password"])
        return Response(
            {
                "TemporaryToken": step.temporary_token,
                "MemorableWordList": [{"Position": p, "Value": ""} for p in step.positions],
                "IsAdmin": step.owner.user.is_staff,
                "HasTemporaryPassword": False,
                "SubscriptionExpired": False,
            }
        )

    @extend_schema(
        operation_id="kashflow_sessiontoken_finish",
        tags=TAG,
        request=SessionFinishSerializer,
        responses={200: SessionOutSerializer, **_errors(400, 401, 413, 415)},
        auth=[],
    )
    def put(self, request: Request) -> Response:
        data = _validate(SessionFinishSerializer, self.body(request))
        answers: dict[int, str] = {}
        for item in data["MemorableWordList"]:
            if item["Position"] in answers:
                raise KashflowError(
                    f"Validation failed: MemorableWordList: position {item['Position']} is given twice",
                    code="ValidationError",
                )
            answers[item["Position"]] = item["Value"]
        owner, token = sign_in_finish(temporary_token=data["TemporaryToken"], answers=answers)
        return Response(
            {
                "SessionToken": token,
                "IsAdmin": owner.user.is_staff,
                "CompanyName": settings.KASHFLOW_COMPANY_NAME,
                "SubscriptionExpired": False,
            }
        )

    @extend_schema(
        operation_id="kashflow_sessiontoken_info",
        tags=TAG,
        responses={200: SessionInfoSerializer, **_errors(400, 401)},
    )
    def get(self, request: Request) -> Response:
        token = self.token
        return Response(
            {
                "UserName": request.user.get_username(),
                "IsAdmin": request.user.is_staff,
                "TokenKind": "LongLived" if token.kind == KashflowToken.Kind.LONG_LIVED else "Session",
                "ExpiresOn": kf_datetime(token.expires_at),
            }
        )

    @extend_schema(operation_id="kashflow_sessiontoken_end", tags=TAG, responses={204: None, **_errors(400, 401)})
    def delete(self, request: Request) -> Response:
        KashflowToken.objects.filter(pk=self.token.pk).update(revoked_at=timezone.now())
        return Response(status=204)


class SessionTokenDeleteView(KashflowAPIView):
    """``DELETE /v2/sessiontoken/<token>``: the token in the URL is the credential."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="kashflow_sessiontoken_delete", tags=TAG, responses={204: None, **_errors(400, 401)}, auth=[]
    )
    def delete(self, request: Request, token: str) -> Response:
        if not revoke_token(token):
            raise drf.AuthenticationFailed()
        return Response(status=204)


# --- purchases ---------------------------------------------------------------------


def _choice(request: Request, name: str, accepted: list[str], default: str, *, numbered: bool = False) -> str:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return default
    for value in accepted:
        if value.lower() == raw.lower():
            return value
    if numbered and raw.isdigit() and int(raw) < len(accepted):
        return accepted[int(raw)]
    extra = " (or their numbers 0 to 8)" if numbered else ""
    raise KashflowError(
        f"Invalid {name} {raw!r}: accepted values are {', '.join(accepted)}{extra}.", code="InvalidParameter"
    )


def _positive_int(request: Request, name: str, default: int | None, *, minimum: int = 1) -> int | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum or value > 2_147_483_647:
        raise KashflowError(f"Invalid {name} {raw!r}: it must be a whole number ≥ {minimum}.", code="InvalidParameter")
    return value


def parse_list_query(request: Request) -> ListQuery:
    perpage = _positive_int(request, "perpage", 50) or 50
    project = _positive_int(request, "projectnumber", None, minimum=0)
    return ListQuery(
        page=_positive_int(request, "page", 1) or 1,
        perpage=min(perpage, MAX_PER_PAGE),
        sortby=_choice(request, "sortby", [name for name, _ in SORT_FIELDS], "Number", numbered=True),
        order=_choice(request, "order", ORDERS, "Asc"),
        filterby=_choice(request, "filterby", FILTERS, "All"),
        projectnumber=project or None,
        suppliercode=request.query_params.get("suppliercode", "").strip() or None,
    )


def _page_urls(request: Request, query: ListQuery) -> Callable[[int], str]:
    """Absolute URLs of pages of this list: the client's query, with page (and
    perpage) set."""
    base = request.build_absolute_uri(request.path)
    params = [(k, v) for k, v in request.query_params.lists() if k not in ("page", "perpage")]
    rest = urlencode(params, doseq=True)
    tail = f"&perpage={query.perpage}" + (f"&{rest}" if rest else "")

    def url(page: int) -> str:
        return f"{base}?page={page}{tail}"

    return url


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
        page_url = _page_urls(request, query)
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
        data = _validate(PurchaseInSerializer, self.body(request))
        purchase = purchase_create(purchase_input(data))
        return Response(purchase_response(purchase.number), status=201)


def purchase_response(number: int) -> dict[str, Any]:
    found = purchase_detail(number)
    if found is None:
        raise drf.NotFound()
    purchase, lines, payments, previous_number, next_number = found
    return purchase_data(
        purchase,
        today=timezone.localdate(),
        previous_number=previous_number,
        next_number=next_number,
        lines=lines,
        payments=payments,
        detail=True,
    )


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
        data = _validate(PurchaseInSerializer, self.body(request))
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


class PurchaseListCreateView(KashflowAPIView):
    """``POST /v2/purchaselist``: HTTP 200, one result per item in request order;
    each item is created (atomically) or rejected on its own."""

    xml_root = "PurchaseListResults"
    xml_item = "PurchaseListResult"
    xml_body_is_list = True

    @extend_schema(
        operation_id="kashflow_purchaselist_create",
        tags=TAG,
        parameters=[IDEMPOTENCY_HEADER],
        request=PurchaseInSerializer(many=True, min_length=1),  # type: ignore[call-arg]
        responses={200: PurchaseListResultSerializer(many=True), **_errors(400, 401, 409, 413, 415, 422)},
    )
    def post(self, request: Request) -> Response:
        items = self.body(request, expect=list)
        if len(items) > MAX_BATCH:
            raise KashflowError(f"At most {MAX_BATCH} purchases per request.", code="ValidationError")
        if not items:
            raise KashflowError("The body must hold at least one purchase.", code="ValidationError")
        if not all(isinstance(item, dict) for item in items):
            raise KashflowError("The body must be an array of purchases (objects).", code="MalformedRequest")
        results: list[dict[str, Any]] = []
        for item in items:
            bank_tx = _bank_transaction_of(item)
            try:
                data = _validate(PurchaseInSerializer, item)
                with transaction.atomic():
                    purchase = purchase_create(purchase_input(data))
                results.append(
                    {"Number": purchase.number, "ErrorCode": None, "Reason": None, "BankTransactionId": bank_tx}
                )
            except Exception as exc:  # every item gets its own result, as KashFlow answers
                # Unexpected errors are logged with an id by _classify.
                _status, code, message = _classify(exc, {"request": request})
                results.append({"Number": None, "ErrorCode": code, "Reason": message, "BankTransactionId": bank_tx})
        return Response(results)


def _bank_transaction_of(item: Any) -> int | None:
    if not isinstance(item, dict):
        return None
    for key, payments in item.items():
        if str(key).lower() == "paymentlines" and isinstance(payments, list):
            for payment in payments:
                if isinstance(payment, dict):
                    for name, value in payment.items():
                        if str(name).lower() == "banktransactionid" and value:
                            try:
                                return int(value)
                            except (TypeError, ValueError):
                                return None
    return None


# --- documents (no login: the uuid is the secret) ------------------------------------


class _PublicDocumentView(KashflowAPIView):
    """A printable page anyone with its link may open: the uuid in the URL is the secret."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]

    @staticmethod
    def public_id(key: str) -> uuid.UUID:
        try:
            return uuid.UUID(key)
        except ValueError:
            raise drf.NotFound() from None


class DocumentView(_PublicDocumentView):
    @extend_schema(
        operation_id="kashflow_document_purchase",
        tags=TAG,
        responses={(200, "text/html"): OpenApiTypes.STR, **_errors(400, 404)},
        auth=[],
    )
    def get(self, request: Request, key: str) -> HttpResponse:
        purchase = Purchase.objects.filter(uuid=self.public_id(key)).values_list("number", flat=True).first()
        if purchase is None:
            raise drf.NotFound()
        data = purchase_response(purchase)
        for line in data["LineItems"]:
            line["NetAmount"] = round2(line["Quantity"] * line["Rate"])
        html = render_to_string("purchases/document.html", {"p": data, "company": settings.KASHFLOW_COMPANY_NAME})
        return HttpResponse(html, content_type="text/html; charset=utf-8")


class PaymentDocumentView(_PublicDocumentView):
    @extend_schema(
        operation_id="kashflow_document_payment",
        tags=TAG,
        responses={(200, "text/html"): OpenApiTypes.STR, **_errors(400, 404)},
        auth=[],
    )
    def get(self, request: Request, key: str) -> HttpResponse:
        payment = (
            PaymentLine.objects.select_related("purchase__supplier", "method", "bank_account")
            .filter(uuid=self.public_id(key))
            .first()
        )
        if payment is None:
            raise drf.NotFound()
        html = render_to_string(
            "purchases/payment.html",
            {"payment": payment, "date": kf_date(payment.date), "company": settings.KASHFLOW_COMPANY_NAME},
        )
        return HttpResponse(html, content_type="text/html; charset=utf-8")
