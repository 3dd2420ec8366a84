"""``POST /v2/purchaselist``: many purchases in one request, each created or
rejected on its own (HTTP 200, one result per item in request order)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.purchases.kashflow.base import KashflowAPIView, KashflowError, _classify
from apps.purchases.kashflow.purchase_input import PurchaseInSerializer, purchase_input
from apps.purchases.kashflow.wire import IDEMPOTENCY_HEADER, TAG, validate
from apps.purchases.kashflow.wire import error_responses as _errors
from apps.purchases.services import purchase_create

MAX_BATCH = 1000


class PurchaseListResultSerializer(serializers.Serializer):
    Number = serializers.IntegerField(allow_null=True)
    ErrorCode = serializers.CharField(allow_blank=True, help_text="Empty on success")
    Reason = serializers.CharField(allow_blank=True, help_text="Empty on success")
    BankTransactionId = serializers.IntegerField(allow_null=True)


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
                data = validate(PurchaseInSerializer, item)
                with transaction.atomic():
                    purchase = purchase_create(purchase_input(data), require_lines=True)
                results.append({"Number": purchase.number, "ErrorCode": "", "Reason": "", "BankTransactionId": bank_tx})
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
