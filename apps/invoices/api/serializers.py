from rest_framework import serializers

from apps.core.api.serializers import KdpEnvelopeSerializer
from apps.invoices.models import Invoice


class InvoiceSerializer(serializers.ModelSerializer):
    """An invoice with SAP's field names, plus the year and the import that loaded it."""

    importId = serializers.UUIDField(source="job.public_id", read_only=True)  # noqa: N815
    orderId = serializers.CharField(source="order_id")  # noqa: N815
    sapOrderId = serializers.CharField(source="sap_order_id")  # noqa: N815
    invoiceId = serializers.CharField(source="invoice_id")  # noqa: N815
    taxAmount = serializers.DecimalField(source="tax_amount", max_digits=20, decimal_places=4)  # noqa: N815
    dueDate = serializers.DateField(source="due_date")  # noqa: N815
    distributionChannel = serializers.CharField(source="distribution_channel")  # noqa: N815
    deliveryNote = serializers.CharField(source="delivery_note")  # noqa: N815
    reverseMark = serializers.IntegerField(source="reverse_mark")  # noqa: N815
    createDate = serializers.DateField(source="create_date")  # noqa: N815
    taxRate = serializers.DecimalField(source="tax_rate", max_digits=9, decimal_places=6)  # noqa: N815
    taxCode = serializers.CharField(source="tax_code")  # noqa: N815
    invoiceDate = serializers.DateField(source="invoice_date")  # noqa: N815
    orderItem = serializers.CharField(source="order_item")  # noqa: N815
    reverseId = serializers.CharField(source="reverse_id")  # noqa: N815
    invoiceType = serializers.CharField(source="invoice_type")  # noqa: N815
    amountLC = serializers.DecimalField(source="amount_lc", max_digits=20, decimal_places=4)  # noqa: N815
    currencyLC = serializers.CharField(source="currency_lc")  # noqa: N815
    taxAmountLC = serializers.DecimalField(source="tax_amount_lc", max_digits=20, decimal_places=4)  # noqa: N815
    orderItems = serializers.JSONField(source="order_items")  # noqa: N815
    billTo = serializers.CharField(source="bill_to")  # noqa: N815

    class Meta:
        model = Invoice
        fields = [
            "id", "year", "importId", "orderId", "sapOrderId", "invoiceId", "amount", "taxAmount", "dueDate",
            "distributionChannel", "deliveryNote", "currency", "payer", "reverseMark", "createDate", "taxRate",
            "taxCode", "invoiceDate", "orderItem", "reverseId", "invoiceType", "amountLC", "currencyLC",
            "taxAmountLC", "orderItems", "billTo",
        ]  # fmt: skip


class InvoiceImportDataSerializer(serializers.Serializer):
    jobId = serializers.UUIDField()  # noqa: N815
    year = serializers.IntegerField()
    rows = serializers.IntegerField()
    status = serializers.CharField()


class InvoiceImportResponseSerializer(KdpEnvelopeSerializer):
    data = InvoiceImportDataSerializer()  # type: ignore[assignment]  # wire name


class InvoiceRowSerializer(serializers.Serializer):
    """The request row, for the OpenAPI description only: validation is streamed."""

    orderId = serializers.CharField()  # noqa: N815
    sapOrderId = serializers.CharField()  # noqa: N815
    invoiceId = serializers.CharField()  # noqa: N815
    amount = serializers.DecimalField(max_digits=20, decimal_places=4, coerce_to_string=False)
    taxAmount = serializers.CharField(help_text="Decimal, as a number or a numeric string")  # noqa: N815
    dueDate = serializers.CharField(help_text="YYYYMMDD or YYYY-MM-DD")  # noqa: N815
    distributionChannel = serializers.CharField()  # noqa: N815
    deliveryNote = serializers.CharField(allow_blank=True)  # noqa: N815
    currency = serializers.CharField(help_text="ISO 4217")
    payer = serializers.CharField()
    reverseMark = serializers.ChoiceField(choices=[0, 1])  # noqa: N815
    createDate = serializers.CharField()  # noqa: N815
    taxRate = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False)  # noqa: N815
    taxCode = serializers.CharField(allow_blank=True)  # noqa: N815
    invoiceDate = serializers.CharField()  # noqa: N815
    orderItem = serializers.CharField(allow_blank=True)  # noqa: N815
    reverseId = serializers.CharField(allow_blank=True)  # noqa: N815
    invoiceType = serializers.ChoiceField(choices=["M", "O", "L", "S"])  # noqa: N815
    amountLC = serializers.DecimalField(max_digits=20, decimal_places=4, coerce_to_string=False)  # noqa: N815
    currencyLC = serializers.CharField()  # noqa: N815
    taxAmountLC = serializers.DecimalField(max_digits=20, decimal_places=4, coerce_to_string=False)  # noqa: N815
    orderItems = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))  # noqa: N815
    billTo = serializers.CharField()  # noqa: N815
