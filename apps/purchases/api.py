"""Read API of purchases under /api/v1/purchases/ (internal consumers, BI):
paginated, filterable (django-filter) and ordered, in finhub's own snake_case
shape. The KashFlow-compatible API is /v2."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets

from apps.core.api.casing import CamelCaseFieldsMixin
from apps.core.filters import AFTER, BEFORE, DATE_RULE, DateBoundFilter
from apps.purchases.models import PaymentLine, Purchase, PurchaseLine, PurchaseStatus


class PurchaseLineReadSerializer(CamelCaseFieldsMixin, serializers.ModelSerializer):
    nominal_code = serializers.IntegerField(source="nominal.code")
    product_code = serializers.CharField(source="product.code", allow_null=True, default=None)
    project_number = serializers.IntegerField(source="project.number", allow_null=True, default=None)

    class Meta:
        model = PurchaseLine
        fields = [
            "number",
            "description",
            "quantity",
            "rate",
            "vat_level",
            "vat_exempt",
            "vat_amount",
            "nominal_code",
            "product_code",
            "project_number",
            "tax_code",
            "stock_received",
            "stock_received_on",
        ]


class PaymentLineReadSerializer(CamelCaseFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = PaymentLine
        fields = ["id", "date", "amount", "method", "bank_account", "note", "bank_transaction_id"]


class PurchaseReadSerializer(CamelCaseFieldsMixin, serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    overdue_days = serializers.SerializerMethodField()
    due_amount = serializers.DecimalField(max_digits=18, decimal_places=4, read_only=True)
    lines = PurchaseLineReadSerializer(many=True, read_only=True)
    payments = PaymentLineReadSerializer(many=True, read_only=True)

    class Meta:
        model = Purchase
        fields = [
            "id",
            "number",
            "uuid",
            "supplier",
            "supplier_code",
            "supplier_name",
            "supplier_reference",
            "issued_date",
            "due_date",
            "paid_date",
            "currency_code",
            "exchange_rate",
            "net_amount",
            "vat_amount",
            "gross_amount",
            "home_currency_gross_amount",
            "total_paid_amount",
            "due_amount",
            "status",
            "overdue_days",
            "project_number",
            "project_name",
            "additional_field_value",
            "lines",
            "payments",
            "created_at",
            "updated_at",
        ]

    def get_status(self, purchase: Purchase) -> str:
        return purchase.status_on()

    def get_overdue_days(self, purchase: Purchase) -> int:
        return purchase.overdue_days_on()


class PurchaseFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[(s.value, s.value) for s in PurchaseStatus],
        method="filter_status",
    )
    supplierCode = django_filters.CharFilter(field_name="supplier_code")  # noqa: N815 - /api/v1 is camelCase
    projectNumber = django_filters.NumberFilter(field_name="project_number")  # noqa: N815
    issuedAfter = DateBoundFilter(field_name="issued_date", bound=AFTER, help_text=DATE_RULE)  # noqa: N815
    issuedBefore = DateBoundFilter(field_name="issued_date", bound=BEFORE, help_text=DATE_RULE)  # noqa: N815
    dueAfter = DateBoundFilter(field_name="due_date", bound=AFTER, help_text=DATE_RULE)  # noqa: N815
    dueBefore = DateBoundFilter(field_name="due_date", bound=BEFORE, help_text=DATE_RULE)  # noqa: N815
    currencyCode = django_filters.CharFilter(field_name="currency_code")  # noqa: N815

    class Meta:
        model = Purchase
        fields = ["currencyCode", "number"]

    def filter_status(self, queryset: QuerySet[Purchase], name: str, value: Any) -> QuerySet[Purchase]:
        return queryset.with_status(value, timezone.localdate())  # type: ignore[attr-defined]


@extend_schema(tags=["Purchases"])
class PurchaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Purchases with their lines and payments; totals and status as the /v2 API computes them."""

    queryset = Purchase.objects.prefetch_related(
        "lines__nominal", "lines__product", "lines__project", "payments"
    ).order_by("number")
    serializer_class = PurchaseReadSerializer
    filterset_class = PurchaseFilterSet
    ordering_fields = ["number", "issued_date", "due_date", "gross_amount", "supplier_name", "paid_date"]
    lookup_field = "number"
