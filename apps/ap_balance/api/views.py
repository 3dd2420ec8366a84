from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from apps.ap_balance.api.serializers import (
    AgeingAmountsSerializer,
    AgeingPageSerializer,
    AgeingQuerySerializer,
    AgeingRowSerializer,
    ApBalanceImportResponseSerializer,
    ApBalanceRowSerializer,
    ComparePageSerializer,
    CompareQuerySerializer,
    CompareRowSerializer,
    SnapshotLineSerializer,
    SnapshotSerializer,
)
from apps.ap_balance.filters import SnapshotFilterSet, SnapshotLineFilterSet
from apps.ap_balance.models import Snapshot, SnapshotLine
from apps.ap_balance.selectors import (
    AgeingFilter,
    ageing_by_dealer,
    ageing_totals,
    snapshot_compare,
    snapshot_compare_counts,
    snapshot_current,
    snapshot_list,
    snapshot_row_count,
)
from apps.ap_balance.services import KIND
from apps.core.api.listing import filter_params, reject_unknown_params
from apps.core.api.views import KDP_ERROR_RESPONSES
from apps.core.importing.pipeline import Submitted
from apps.core.kdp.views import KdpImportView
from apps.core.pagination import PageOrCursorPagination
from apps.core.schema import kdp_header_parameters
from apps.core.scopes import ApiScope

BAD_QUERY = OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid query parameters")
NO_SUCH_SNAPSHOT = OpenApiResponse(OpenApiTypes.OBJECT, description="No such snapshot")


class ApBalanceReportView(KdpImportView):
    """``POST /inventory-server/api/invoice/report/ap/balance``: SAP's whole AP open
    balance. Validated here; a Celery task makes it the current snapshot."""

    import_kind = KIND
    query_params_read = ("allowEmpty",)
    required_scope = ApiScope.AP_BALANCE_WRITE

    @extend_schema(
        operation_id="kdp_ap_balance_report",
        tags=["KDP (SAP)"],
        request=ApBalanceRowSerializer(many=True),
        parameters=[
            OpenApiParameter(
                "allowEmpty",
                OpenApiTypes.BOOL,
                description="Required (true) to accept an empty report: nothing is open",
            ),
            *kdp_header_parameters(),
        ],
        responses={200: ApBalanceImportResponseSerializer, **KDP_ERROR_RESPONSES},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return super().post(request, *args, **kwargs)

    def answer(self, *, submitted: Submitted) -> dict[str, Any]:
        job = submitted.job
        return {
            "jobId": str(job.public_id),
            "rows": submitted.rows,
            "status": job.status,
            "snapshot": job.counts.get("snapshot"),
        }


def _snapshot_or_404(pk: int | None) -> Snapshot | None:
    """The snapshot ``pk``, or the current one when None (which may not exist yet)."""
    if pk is None:
        return snapshot_current()
    snapshot = Snapshot.objects.filter(pk=pk).first()
    if snapshot is None:
        raise NotFound(f"There is no snapshot {pk}.")
    return snapshot


@extend_schema(tags=["AP open balance"])
class SnapshotViewSet(viewsets.ReadOnlyModelViewSet):
    """Every accepted AP open-balance report, newest first; ``isCurrent`` marks the current one."""

    queryset = snapshot_list()
    serializer_class = SnapshotSerializer
    filterset_class = SnapshotFilterSet
    ordering_fields = ["received_at", "row_count", "id"]
    ordering = ["-received_at", "-id"]


@extend_schema(tags=["AP open balance"])
class SnapshotLineViewSet(viewsets.ReadOnlyModelViewSet):
    """Lines of the current snapshot, or of ``?snapshot=<id>``."""

    queryset = SnapshotLine.objects.all()
    serializer_class = SnapshotLineSerializer
    filterset_class = SnapshotLineFilterSet
    ordering_fields = ["sap_dealer_code", "due_date", "invoice_id", "open_balance", "currency", "company_code"]
    ordering = ["sap_dealer_code", "due_date", "invoice_id", "id"]
    lookup_value_regex = r"[0-9]+"
    pagination_class = PageOrCursorPagination

    def scope_count(self, request: Request) -> int | None:
        """A whole snapshot (no filter but ``?snapshot``) counts as its import did."""
        if not filter_params(request, self) <= {"snapshot"}:
            return None
        return snapshot_row_count(snapshot_id=int(request.query_params.get("snapshot") or 0) or None)

    def get_queryset(self) -> Any:
        lines = super().get_queryset()
        if self.action == "list" and not self.request.query_params.get("snapshot"):
            lines = lines.filter(snapshot__is_current=True)
        return lines


@extend_schema(tags=["AP open balance"])
class AgeingViewSet(viewsets.GenericViewSet):
    """Open amounts (uncleared lines) per dealer and currency in ageing buckets: not
    yet due (due on or after the as-of date), 1-30, 31-60, 61-90 and over 90 days
    past due; with the totals per currency over every row."""

    queryset = SnapshotLine.objects.none()  # for the permission check: view_snapshotline
    serializer_class = AgeingRowSerializer
    filter_backends: list[Any] = []

    @extend_schema(
        operation_id="ap_balances_ageing",
        parameters=[AgeingQuerySerializer],
        responses={200: AgeingPageSerializer, 400: BAD_QUERY, 404: NO_SUCH_SNAPSHOT},
    )
    def list(self, request: Request) -> Response:
        reject_unknown_params(request, {*AgeingQuerySerializer().fields, *self.paginator.query_params(), "format"})  # type: ignore[union-attr]
        query = AgeingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        self.paginator.get_page_size(request)  # type: ignore[union-attr]  # a bad pageSize is a 400 even with nothing to page
        params = query.validated_data
        snapshot = _snapshot_or_404(params.get("snapshot"))
        if snapshot is None:
            return Response(
                {
                    "snapshot": None,
                    "asOf": None,
                    "count": 0,
                    "next": None,
                    "previous": None,
                    "totals": [],
                    "results": [],
                }
            )
        as_of = params.get("asOf") or snapshot.snapshot_date
        filters = AgeingFilter(
            company_code=params.get("companyCode") or None,
            dealer=params.get("sapDealerCode") or None,
            currency=params.get("currency") or None,
        )
        page = self.paginate_queryset(ageing_by_dealer(snapshot=snapshot, as_of=as_of, filters=filters))
        paginator = self.paginator
        assert paginator is not None and page is not None  # noqa: S101 - pagination is configured globally
        return Response(
            {
                "snapshot": snapshot.pk,
                "asOf": as_of.isoformat(),
                "count": paginator.page.paginator.count,  # type: ignore[attr-defined]
                "next": paginator.get_next_link(),  # type: ignore[attr-defined]
                "previous": paginator.get_previous_link(),  # type: ignore[attr-defined]
                "totals": AgeingAmountsSerializer(
                    ageing_totals(snapshot=snapshot, as_of=as_of, filters=filters), many=True
                ).data,
                "results": AgeingRowSerializer(page, many=True).data,
            }
        )


@extend_schema(tags=["AP open balance"])
class CompareViewSet(viewsets.GenericViewSet):
    """What changed between two snapshots (optionally for one dealer): lines added,
    cleared (in ``before``, gone in ``after``) and changed (same company code, dealer
    and invoinceId, different content)."""

    queryset = SnapshotLine.objects.none()
    serializer_class = CompareRowSerializer
    filter_backends: list[Any] = []

    @extend_schema(
        operation_id="ap_balances_compare",
        parameters=[CompareQuerySerializer],
        responses={200: ComparePageSerializer, 400: BAD_QUERY, 404: NO_SUCH_SNAPSHOT},
    )
    def list(self, request: Request) -> Response:
        reject_unknown_params(request, {*CompareQuerySerializer().fields, *self.paginator.query_params(), "format"})  # type: ignore[union-attr]
        query = CompareQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        before = _snapshot_or_404(params["before"])
        after = _snapshot_or_404(params.get("after"))
        if before is None or after is None:
            raise NotFound("There is no current snapshot yet.")
        dealer = params.get("sapDealerCode") or None
        counts = snapshot_compare_counts(before=before, after=after, dealer=dealer)
        page = self.paginate_queryset(snapshot_compare(before=before, after=after, dealer=dealer, counts=counts))  # type: ignore[arg-type]
        paginator = self.paginator
        assert paginator is not None and page is not None  # noqa: S101 - pagination is configured globally
        return Response(
            {
                "before": before.pk,
                "after": after.pk,
                "counts": counts,
                "count": paginator.page.paginator.count,  # type: ignore[attr-defined]
                "next": paginator.get_next_link(),  # type: ignore[attr-defined]
                "previous": paginator.get_previous_link(),  # type: ignore[attr-defined]
                "results": CompareRowSerializer(page, many=True).data,
            }
        )
