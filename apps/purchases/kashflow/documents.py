"""Permalinks: a purchase and a payment receipt as KashFlow serves them, a PDF
(``/v2/documents/purchase/<uuid>``, ``/v2/documents/purchase/payment/<uuid>``;
the older ``/v2/documents/purchaseorder/<uuid>`` and
``/v2/documents/purchasepayment/<uuid>`` keep working), or the printable HTML
page for a browser (``Accept: text/html`` preferred, or ``?format=html``).
``?media=`` (0 print, 1 email, 2 post) is accepted. No login: the uuid in the
URL is the secret."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions as drf
from rest_framework import permissions
from rest_framework.request import Request

from apps.purchases.kashflow.base import KashflowAPIView, KashflowError, LenientNegotiation, single_value
from apps.purchases.kashflow.pdf import payment_pdf, purchase_pdf
from apps.purchases.kashflow.purchase_output import purchase_response
from apps.purchases.kashflow.wire import TAG, kf_date
from apps.purchases.kashflow.wire import error_responses as _errors
from apps.purchases.models import PaymentLine, Purchase
from apps.purchases.pricing import round2

DOCUMENT_FORMATS = ("pdf", "html")
PARAMETERS = [
    OpenApiParameter("format", OpenApiTypes.STR, description="pdf (default) or html (the printable page)"),
    OpenApiParameter("media", OpenApiTypes.STR, description="0 print, 1 email, 2 post (accepted)"),
]


class _DocumentNegotiation(LenientNegotiation):
    """``?format=pdf|html`` chooses the document, not an API renderer."""

    def select_renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        if single_value(request, "format") in ("", *DOCUMENT_FORMATS):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)


def wants_html(request: Request) -> bool:
    """A browser: ``?format=html``, or an Accept that names text/html before PDF."""
    fmt = request.query_params.get("format")
    if fmt in DOCUMENT_FORMATS:
        return fmt == "html"
    accept = request.headers.get("Accept", "")
    html, pdf = accept.find("text/html"), accept.find("application/pdf")
    return html >= 0 and (pdf < 0 or html < pdf)


def _pdf_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


class _PublicDocumentView(KashflowAPIView):
    """A document anyone with its link may open: the uuid in the URL is the secret."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    content_negotiation_class = _DocumentNegotiation

    @staticmethod
    def check_media(request: Request) -> None:
        media = request.query_params.get("media", "").strip()
        if media and media not in ("0", "1", "2"):
            raise KashflowError(f"Invalid media {media!r}: accepted values are 0, 1, 2.", code="InvalidParameter")

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
        parameters=PARAMETERS,
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **_errors(400, 404)},
        auth=[],
    )
    def get(self, request: Request, key: str) -> HttpResponse:
        self.check_media(request)
        purchase = Purchase.objects.filter(uuid=self.public_id(key)).values_list("number", flat=True).first()
        if purchase is None:
            raise drf.NotFound()
        data = purchase_response(purchase)
        company = settings.KASHFLOW_COMPANY_NAME
        if not wants_html(request):
            return _pdf_response(purchase_pdf(data, company), f"purchase-{data['Number']}")
        for line in data["LineItems"]:
            line["NetAmount"] = round2(line["Quantity"] * line["Rate"])
        html = render_to_string("purchases/document.html", {"p": data, "company": company})
        return HttpResponse(html, content_type="text/html; charset=utf-8")


class PaymentDocumentView(_PublicDocumentView):
    @extend_schema(
        operation_id="kashflow_document_payment",
        tags=TAG,
        parameters=PARAMETERS,
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **_errors(400, 404)},
        auth=[],
    )
    def get(self, request: Request, key: str) -> HttpResponse:
        self.check_media(request)
        payment = (
            PaymentLine.objects.select_related("purchase__supplier", "method", "bank_account")
            .filter(uuid=self.public_id(key))
            .first()
        )
        if payment is None:
            raise drf.NotFound()
        company = settings.KASHFLOW_COMPANY_NAME
        if not wants_html(request):
            purchase = payment.purchase
            fields = [
                ("Purchase", f"{purchase.number} - {purchase.supplier.name} ({purchase.supplier.code})"),
                ("Date", payment.date.isoformat()),
                ("Amount", f"{purchase.currency_code} {payment.amount:.2f}"),
                ("Method", payment.method.name),
                ("Bank account", payment.bank_account.name),
                ("Note", payment.note),
            ]
            content = payment_pdf(number=purchase.number, company=company, fields=fields)
            return _pdf_response(content, f"payment-{payment.pk}")
        html = render_to_string(
            "purchases/payment.html", {"payment": payment, "date": kf_date(payment.date), "company": company}
        )
        return HttpResponse(html, content_type="text/html; charset=utf-8")
