from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.request import Request

from apps.core.api.listing import filter_params
from apps.core.api.views import KDP_ERROR_RESPONSES
from apps.core.importing.pipeline import Submitted
from apps.core.kdp.views import KdpImportView
from apps.core.pagination import PageOrCursorPagination
from apps.core.schema import kdp_header_parameters
from apps.core.scopes import ApiScope
from apps.invoices.api.serializers import InvoiceImportResponseSerializer, InvoiceRowSerializer, InvoiceSerializer
from apps.invoices.filters import InvoiceFilterSet
from apps.invoices.selectors import invoice_list, invoice_year_row_count
from apps.invoices.services import KIND


class InvoiceReportView(KdpImportView):
    """``POST /inventory-server/api/invoice/report/info``: SAP's invoices of one year,
    replacing that year. Validated here, applied by a Celery task on an import job."""

    import_kind = KIND
    query_params_read = ("year",)
    required_scope = ApiScope.INVOICES_WRITE

    @extend_schema(
        operation_id="kdp_invoice_report",
        tags=["KDP (SAP)"],
        request=InvoiceRowSerializer(many=True),
        parameters=[
            OpenApiParameter(
                "year",
                {"type": "string", "pattern": "^[0-9]{4}$"},
                description="Year to replace (4 digits, within the years of KDP_EARLIEST_DATE .. KDP_LATEST_DATE, "
                "1970-2099 by default); required to empty a year",
            ),
            *kdp_header_parameters(),
        ],
        responses={200: InvoiceImportResponseSerializer, **KDP_ERROR_RESPONSES},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return super().post(request, *args, **kwargs)

    def answer(self, *, submitted: Submitted) -> dict[str, Any]:
        job = submitted.job
        return {"jobId": str(job.public_id), "year": int(job.scope), "rows": submitted.rows, "status": job.status}


@extend_schema(tags=["Invoices"])
class InvoiceViewSet(viewsets.ReadOnlyModelViewSet):
    """Invoices as SAP last reported them, per year."""

    queryset = invoice_list()
    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilterSet
    ordering_fields = ["invoice_date", "due_date", "invoice_id", "amount", "payer", "year"]
    ordering = ["invoice_date", "invoice_id"]
    pagination_class = PageOrCursorPagination

    def scope_count(self, request: Request) -> int | None:
        """A whole year (``?year`` and no other filter) counts as its import did."""
        if filter_params(request, self) != {"year"}:
            return None
        return invoice_year_row_count(year=int(request.query_params["year"]))
