"""Shapes of the reconciliation APIs.

The ``saveReconForApi`` request is validated by ``apps.reconciliation.validation``
(every error under its field path, in the Xunlian envelope); the request
serializers below describe that wire shape for the OpenAPI schema.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from apps.core.api.casing import CamelCaseFieldsMixin
from apps.reconciliation.models import ReconciliationStatement, StatementLine

DECIMAL_SCHEMA = {"oneOf": [{"type": "number"}, {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}]}
INSTANT_SCHEMA = {
    "oneOf": [
        {"type": "integer", "format": "int64", "description": "epoch milliseconds"},
        {"type": "string", "description": "ISO 8601 date or date-time"},
    ]
}


@extend_schema_field(DECIMAL_SCHEMA)
class WireDecimalField(serializers.Field):
    """A JSON number (read as Decimal) or a numeric string."""


@extend_schema_field(INSTANT_SCHEMA)
class WireInstantField(serializers.Field):
    """Epoch milliseconds or ISO 8601."""


class XunlianLineRequestSerializer(serializers.Serializer):
    itemNo = serializers.CharField(max_length=100, help_text="Unique within the statement.")  # noqa: N815
    itemName = serializers.CharField(max_length=200)  # noqa: N815
    specification = serializers.CharField(max_length=200, allow_blank=True)
    productNo = serializers.CharField(max_length=100)  # noqa: N815
    quantity = WireDecimalField(help_text="> 0, at most 4 decimal places.")
    unit = serializers.CharField(max_length=16, help_text="A code from the unit table, e.g. EA.")
    unitPrice = WireDecimalField(required=False, allow_null=True, help_text="Tax-inclusive, >= 0.")  # noqa: N815
    amountWithoutTax = WireDecimalField(required=False, allow_null=True)  # noqa: N815
    taxPercent = WireDecimalField(required=False, allow_null=True, help_text="0 <= x < 1, e.g. 0.06.")  # noqa: N815
    taxAmount = WireDecimalField(required=False, allow_null=True)  # noqa: N815
    amount = WireDecimalField(required=False, allow_null=True, help_text="Incl. tax.")
    discount = WireDecimalField(required=False, allow_null=True)
    buyerItemName = serializers.CharField(max_length=200)  # noqa: N815
    buyerSpecification = serializers.CharField(max_length=200, required=False, allow_blank=True, allow_null=True)  # noqa: N815


class XunlianStatementRequestSerializer(serializers.Serializer):
    reconciliationNo = serializers.CharField(max_length=100, help_text="Unique across all statements.")  # noqa: N815
    currency = serializers.CharField(
        max_length=20, required=False, allow_null=True, allow_blank=True, help_text="ISO 4217 or a name (人民币)."
    )
    startTime = WireInstantField()  # noqa: N815
    endTime = WireInstantField(help_text=">= startTime")  # noqa: N815
    buyCompanyName = serializers.CharField(max_length=200)  # noqa: N815
    buyCompanyTaxId = serializers.CharField(min_length=15, max_length=20)  # noqa: N815
    supplierCompanyName = serializers.CharField(max_length=200)  # noqa: N815
    supplierCompanyTaxId = serializers.CharField(min_length=15, max_length=20)  # noqa: N815
    itemList = XunlianLineRequestSerializer(many=True, allow_empty=False)  # noqa: N815


class XunlianStatusSerializer(serializers.Serializer):
    description = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="Field path -> its errors."
    )
    message = serializers.CharField()
    path = serializers.CharField()
    returnCode = serializers.CharField(help_text="The HTTP status as a string.")  # noqa: N815
    serviceCode = serializers.CharField()  # noqa: N815
    time = serializers.CharField(help_text="UTC, ISO 8601 with milliseconds and Z.")


class XunlianBodySerializer(serializers.Serializer):
    reconciliationUuid = serializers.UUIDField(required=False, help_text="Only when ok is true.")  # noqa: N815


@extend_schema_serializer(component_name="XunlianEnvelope")
class XunlianEnvelopeSerializer(serializers.Serializer):
    body = XunlianBodySerializer()
    ok = serializers.BooleanField()
    status = XunlianStatusSerializer()


# --- read API -----------------------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class StatementLineSerializer(CamelCaseFieldsMixin, serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code")

    class Meta:
        model = StatementLine
        fields = [
            "position",
            "item_no",
            "item_name",
            "specification",
            "product_no",
            "quantity",
            "unit",
            "unit_price",
            "amount_without_tax",
            "tax_percent",
            "tax_amount",
            "amount",
            "discount",
            "buyer_item_name",
            "buyer_specification",
        ]


class ReconciliationStatementSerializer(CamelCaseFieldsMixin, serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    client = serializers.CharField(source="client.name", allow_null=True, default=None)
    reviewed_by = serializers.CharField(source="reviewed_by.get_username", allow_null=True, default=None)
    lines = StatementLineSerializer(many=True)
    line_count = serializers.SerializerMethodField()
    total_amount = serializers.SerializerMethodField()

    class Meta:
        model = ReconciliationStatement
        fields = [
            "id",
            "reconciliation_no",
            "currency",
            "start_time",
            "end_time",
            "buyer_name",
            "buyer_tax_id",
            "supplier_name",
            "supplier_tax_id",
            "status",
            "dispute_reason",
            "reviewed_by",
            "reviewed_at",
            "client",
            "created_at",
            "line_count",
            "total_amount",
            "lines",
        ]

    def get_line_count(self, statement: ReconciliationStatement) -> int:
        return len(statement.lines.all())

    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True})
    def get_total_amount(self, statement: ReconciliationStatement) -> Any:
        """Sum of the lines' amounts incl. tax (None when no line has one)."""
        amounts = [line.amount for line in statement.lines.all() if line.amount is not None]
        return str(sum(amounts, Decimal(0))) if amounts else None
