from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.request import Request

from apps.core.api.views import KDP_ERROR_RESPONSES
from apps.core.imports import StagedFile
from apps.core.kdp.parsers import RawBody
from apps.core.kdp.views import KdpImportView
from apps.core.models import ImportJob
from apps.invoices.api.serializers import InvoiceImportResponseSerializer, InvoiceRowSerializer, InvoiceSerializer
from apps.invoices.filters import InvoiceFilterSet
from apps.invoices.selectors import invoice_list
from apps.invoices.services import (
    KIND,
    invoice_import_queue,
    invoice_report_stage,
    parse_year_param,
)


class InvoiceReportView(KdpImportView):
    """``POST /inventory-server/api/invoice/report/info``: SAP's invoices of one year,
    replacing that year. Validated here, applied by a Celery task on an import job."""

    import_kind = KIND

    @extend_schema(
        operation_id="kdp_invoice_report",
        tags=["KDP (SAP)"],
        request=InvoiceRowSerializer(many=True),
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description="Year to replace; required to empty a year")
        ],
        responses={200: InvoiceImportResponseSerializer, **KDP_ERROR_RESPONSES},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return super().post(request, *args, **kwargs)

    def stage(self, request: Request, raw: RawBody) -> StagedFile:
        year = parse_year_param(request.query_params.get("year"))
        return invoice_report_stage(body=raw.file, year=year)

    def queue(self, *, staged: Any, **audit: Any) -> ImportJob:
        return invoice_import_queue(staged=staged, **audit)

    def answer(self, *, job: ImportJob, staged: Any) -> dict[str, Any]:
        return {"jobId": str(job.public_id), "year": staged.year, "rows": staged.rows, "status": job.status}


@extend_schema(tags=["Invoices"])
class InvoiceViewSet(viewsets.ReadOnlyModelViewSet):
    """Invoices as SAP last reported them, per year."""

    queryset = invoice_list()
    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilterSet
    ordering_fields = ["invoice_date", "due_date", "invoice_id", "amount", "payer", "year"]
    ordering = ["invoice_date", "invoice_id"]
