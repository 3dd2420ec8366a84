import datetime as dt
from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from apps.ap_balance.models import Snapshot, SnapshotLine
from apps.core.api.serializers import KdpEnvelopeSerializer

MONEY: dict[str, Any] = {"max_digits": 20, "decimal_places": 4}
ID: dict[str, Any] = {"min_value": 1, "max_value": 2**31 - 1}
EARLIEST_AS_OF = dt.date(1900, 1, 1)


class SnapshotSerializer(serializers.ModelSerializer):
    """A snapshot: when it was received, from whom, its size and totals per currency."""

    importId = serializers.UUIDField(source="job.public_id", read_only=True)  # noqa: N815
    client = serializers.CharField(source="client.name", allow_null=True, default=None)
    traceId = serializers.CharField(source="trace_id")  # noqa: N815
    receivedAt = serializers.DateTimeField(source="received_at")  # noqa: N815
    snapshotDate = serializers.DateField(source="snapshot_date")  # noqa: N815
    rowCount = serializers.IntegerField(source="row_count")  # noqa: N815
    totals = serializers.DictField(
        child=serializers.DictField(), help_text='Per currency: {"rows": n, "openBalance": "decimal"}'
    )
    isCurrent = serializers.BooleanField(source="is_current")  # noqa: N815

    class Meta:
        model = Snapshot
        fields = [
            "id", "importId", "client", "traceId", "receivedAt", "snapshotDate", "rowCount", "totals", "isCurrent",
        ]  # fmt: skip


class SnapshotLineSerializer(serializers.ModelSerializer):
    """A line with SAP's field names (``invoinceId`` spelt as SAP sends it)."""

    companyCode = serializers.CharField(source="company_code")  # noqa: N815
    sapDealerCode = serializers.CharField(source="sap_dealer_code")  # noqa: N815
    invoinceId = serializers.CharField(source="invoice_id")  # noqa: N815
    openBalance = serializers.DecimalField(source="open_balance", **MONEY)  # noqa: N815
    fiscalYear = serializers.CharField(source="fiscal_year")  # noqa: N815
    invoicingReference = serializers.CharField(source="invoicing_reference")  # noqa: N815
    clearingIdentification = serializers.CharField(source="clearing_identification")  # noqa: N815
    clearAmount = serializers.DecimalField(source="clear_amount", allow_null=True, **MONEY)  # noqa: N815
    amountLC = serializers.DecimalField(source="amount_lc", **MONEY)  # noqa: N815
    voucherNo = serializers.CharField(source="voucher_no")  # noqa: N815
    currencyLC = serializers.CharField(source="currency_lc")  # noqa: N815
    dueDate = serializers.DateField(source="due_date")  # noqa: N815

    class Meta:
        model = SnapshotLine
        fields = [
            "id", "snapshot", "companyCode", "sapDealerCode", "invoinceId", "openBalance", "currency", "fiscalYear",
            "invoicingReference", "clearingIdentification", "clearAmount", "amountLC", "voucherNo", "currencyLC",
            "dueDate",
        ]  # fmt: skip


class AgeingQuerySerializer(serializers.Serializer):
    snapshot = serializers.IntegerField(required=False, help_text="Snapshot id (default: the current one)", **ID)
    asOf = serializers.DateField(  # noqa: N815
        required=False, help_text="Age as of this date (default: the snapshot's date)"
    )
    companyCode = serializers.CharField(required=False, allow_blank=True)  # noqa: N815
    sapDealerCode = serializers.CharField(required=False, allow_blank=True)  # noqa: N815
    currency = serializers.CharField(required=False, allow_blank=True)

    def validate_asOf(self, value: dt.date) -> dt.date:  # noqa: N802 - wire name
        if value < EARLIEST_AS_OF:
            raise serializers.ValidationError(f"Must be on or after {EARLIEST_AS_OF.isoformat()}.")
        return value


class AgeingAmountsSerializer(serializers.Serializer):
    currency = serializers.CharField()
    notYetDue = serializers.DecimalField(source="not_yet_due", **MONEY)  # noqa: N815
    days1To30 = serializers.DecimalField(source="days_1_30", **MONEY)  # noqa: N815
    days31To60 = serializers.DecimalField(source="days_31_60", **MONEY)  # noqa: N815
    days61To90 = serializers.DecimalField(source="days_61_90", **MONEY)  # noqa: N815
    over90 = serializers.DecimalField(source="over_90", **MONEY)
    total = serializers.DecimalField(**MONEY)


class AgeingRowSerializer(AgeingAmountsSerializer):
    sapDealerCode = serializers.CharField(source="sap_dealer_code")  # noqa: N815


@extend_schema_serializer(many=False)  # already a page: not wrapped in another
class AgeingPageSerializer(serializers.Serializer):
    """A page of dealer rows, with the totals per currency over all rows (not just the page)."""

    snapshot = serializers.IntegerField(allow_null=True)
    asOf = serializers.DateField(allow_null=True)  # noqa: N815
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    totals = AgeingAmountsSerializer(many=True)
    results = AgeingRowSerializer(many=True)


class CompareQuerySerializer(serializers.Serializer):
    before = serializers.IntegerField(help_text="The older snapshot's id", **ID)
    after = serializers.IntegerField(
        required=False, help_text="The newer snapshot's id (default: the current one)", **ID
    )
    sapDealerCode = serializers.CharField(required=False, allow_blank=True)  # noqa: N815


class CompareRowSerializer(serializers.Serializer):
    change = serializers.ChoiceField(choices=["added", "cleared", "changed"])
    companyCode = serializers.CharField(source="company_code_")  # noqa: N815
    sapDealerCode = serializers.CharField(source="sap_dealer_code_")  # noqa: N815
    invoinceId = serializers.CharField(source="invoice_id_")  # noqa: N815
    currency = serializers.CharField(source="currency_")
    dueDate = serializers.DateField(source="due_date_")  # noqa: N815
    openBalanceBefore = serializers.DecimalField(source="open_balance_before", allow_null=True, **MONEY)  # noqa: N815
    openBalanceAfter = serializers.DecimalField(source="open_balance_after", allow_null=True, **MONEY)  # noqa: N815
    clearingBefore = serializers.CharField(source="clearing_before", allow_null=True)  # noqa: N815
    clearingAfter = serializers.CharField(source="clearing_after", allow_null=True)  # noqa: N815


@extend_schema_serializer(many=False)  # already a page: not wrapped in another
class ComparePageSerializer(serializers.Serializer):
    before = serializers.IntegerField()
    after = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="added / cleared / changed")
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CompareRowSerializer(many=True)


class ApBalanceImportDataSerializer(serializers.Serializer):
    jobId = serializers.UUIDField()  # noqa: N815
    rows = serializers.IntegerField()
    status = serializers.CharField()
    snapshot = serializers.IntegerField(allow_null=True, help_text="The new snapshot, once applied")


class ApBalanceImportResponseSerializer(KdpEnvelopeSerializer):
    data = ApBalanceImportDataSerializer()  # type: ignore[assignment]


class ApBalanceRowSerializer(serializers.Serializer):
    """The request row, for the OpenAPI description only: validation is streamed."""

    companyCode = serializers.CharField(required=False)  # noqa: N815
    sapDealerCode = serializers.CharField()  # noqa: N815
    invoinceId = serializers.CharField(help_text="Warranty number (SAP's spelling); invoiceId is accepted too")  # noqa: N815
    openBalance = serializers.DecimalField(coerce_to_string=False, **MONEY)  # noqa: N815
    currency = serializers.CharField(help_text="ISO 4217")
    fiscalYear = serializers.CharField(required=False, help_text="YYYY")  # noqa: N815
    invoicingReference = serializers.CharField(required=False)  # noqa: N815
    clearingIdentification = serializers.ChoiceField(choices=["N", "Y"], required=False)  # noqa: N815
    clearAmount = serializers.DecimalField(coerce_to_string=False, required=False, **MONEY)  # noqa: N815
    amountLC = serializers.CharField(help_text="Decimal, as a number or a numeric string")  # noqa: N815
    voucherNo = serializers.CharField(required=False)  # noqa: N815
    currencyLC = serializers.CharField(help_text="ISO 4217")  # noqa: N815
    dueDate = serializers.CharField(help_text="YYYYMMDD or YYYY-MM-DD")  # noqa: N815
