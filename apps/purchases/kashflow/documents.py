"""Permalinks: the printable page of a purchase and of a payment receipt. No
login: the uuid in the URL is the secret."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions as drf
from rest_framework import permissions
from rest_framework.request import Request

from apps.purchases.kashflow.base import KashflowAPIView
from apps.purchases.kashflow.purchase_output import purchase_response
from apps.purchases.kashflow.wire import TAG, kf_date
from apps.purchases.kashflow.wire import error_responses as _errors
from apps.purchases.models import PaymentLine, Purchase
from apps.purchases.pricing import round2


class _PublicDocumentView(KashflowAPIView):
    """A printable page anyone with its link may open: the uuid in the URL is the secret."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]

    def handle_exception(self, exc: Exception) -> Any:
        """A browser opening a wrong or truncated link gets a page saying so, not
        the API's XML error body; other callers keep the API's error."""
        if isinstance(exc, drf.NotFound) and "text/html" in self.request.headers.get("Accept", ""):
            html = render_to_string("purchases/document_missing.html", request=self.request)
            return HttpResponse(html, status=404, content_type="text/html; charset=utf-8")
        return super().handle_exception(exc)

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
