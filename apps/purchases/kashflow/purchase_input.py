"""The request shape of a purchase (POST /v2/purchases, PUT, /v2/purchaselist):
serializers with KashFlow's key names (matched case-insensitively), each field
bounded by its database column (``apps.core.bounds``), and the conversion to
the service's input. Fields KashFlow documents as optional may be left out:
the services apply the defaults of the additions digest §8."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from apps.purchases.kashflow.wire import BoundedCharField, KfDateField, KfSerializer, decimal_field, text_field
from apps.purchases.kashflow.wire import int_field as _int
from apps.purchases.models import PaymentLine, Product, Purchase, PurchaseLine, Supplier
from apps.purchases.services import LineInput, PaymentInput, PurchaseInput


class CurrencyInSerializer(KfSerializer):
    Code = text_field(Purchase, "currency_code")
    ExchangeRate = decimal_field(Purchase, "exchange_rate", required=False, allow_null=True)


class StockInfoInSerializer(KfSerializer):
    Received = serializers.BooleanField(required=False, allow_null=True)


class LineItemInSerializer(KfSerializer):
    Number = _int(required=False, allow_null=True)
    Description = text_field(PurchaseLine, "description")
    Quantity = decimal_field(PurchaseLine, "quantity", required=False, allow_null=True)
    Rate = decimal_field(PurchaseLine, "rate")
    VATLevel = decimal_field(PurchaseLine, "vat_level", min_value=Decimal(0), required=False, allow_null=True)
    VATExempt = serializers.BooleanField(required=False, allow_null=True)
    VATAmount = decimal_field(PurchaseLine, "vat_amount", required=False, allow_null=True)
    NominalCode = _int(required=False, allow_null=True)
    ProductCode = text_field(Product, "code")
    ProjectNumber = _int(required=False, allow_null=True)
    TaxCode = text_field(PurchaseLine, "tax_code")
    ImportDuty = decimal_field(PurchaseLine, "import_duty", min_value=Decimal(0), required=False, allow_null=True)
    Disallowed = serializers.BooleanField(required=False, allow_null=True)
    StockInfo = StockInfoInSerializer(required=False, allow_null=True)


class PaymentLineInSerializer(KfSerializer):
    Id = _int(required=False, allow_null=True)
    Date = KfDateField(required=False, allow_null=True)
    Amount = decimal_field(PaymentLine, "amount", required=False, allow_null=True)
    Method = _int(required=False, allow_null=True)
    AccountId = _int(required=False, allow_null=True)
    Note = text_field(PaymentLine, "note")
    BankTransactionId = _int(required=False, allow_null=True)
    BFSTransactionId = _int(required=False, allow_null=True)
    PaymentProcessor = serializers.IntegerField(min_value=0, max_value=32767, required=False, allow_null=True)


class PurchaseInSerializer(KfSerializer):
    Number = serializers.IntegerField(min_value=0, max_value=2**62, required=False, allow_null=True)
    IssuedDate = KfDateField(required=False, allow_null=True)
    DueDate = KfDateField(required=False, allow_null=True)
    SupplierCode = BoundedCharField(Supplier, "code")
    SupplierReference = text_field(Purchase, "supplier_reference")
    Currency = CurrencyInSerializer(required=False, allow_null=True)
    LineItems = serializers.ListField(child=LineItemInSerializer(), required=False, allow_null=True, max_length=10000)
    PaymentLines = serializers.ListField(
        child=PaymentLineInSerializer(), required=False, allow_null=True, max_length=10000
    )
    ProjectNumber = _int(required=False, allow_null=True)
    AdditionalFieldValue = text_field(Purchase, "additional_field_value")
    PurchaseInECMemberState = serializers.BooleanField(required=False, allow_null=True)
    IsWhtDeductionToBeApplied = serializers.BooleanField(required=False, allow_null=True)
    IsCISReverseCharge = serializers.BooleanField(required=False, allow_null=True)
    Type = serializers.CharField(max_length=10, required=False, allow_blank=True, allow_null=True)

    def validate_Type(self, value: str | None) -> str | None:  # noqa: N802 - KashFlow's key
        if not value:
            return None
        for choice in Purchase.Type.values:
            if choice.lower() == value.strip().lower():
                return choice
        raise serializers.ValidationError("accepted values are Purchase, Expense")


def purchase_input(data: dict[str, Any]) -> PurchaseInput:
    """Validated serializer data -> the service's input."""
    currency = data.get("Currency") or {}
    lines = [
        LineInput(
            number=item.get("Number") or None,
            description=item.get("Description") or None,
            quantity=item["Quantity"] if item.get("Quantity") is not None else Decimal(1),
            rate=item["Rate"],
            vat_level=item.get("VATLevel") or Decimal(0),
            vat_exempt=bool(item.get("VATExempt")),
            nominal_code=item.get("NominalCode") or None,
            vat_amount=item.get("VATAmount"),
            import_duty=item.get("ImportDuty") or Decimal(0),
            disallowed=bool(item.get("Disallowed")),
            product_code=item.get("ProductCode") or None,
            project_number=item.get("ProjectNumber") or None,
            tax_code=item.get("TaxCode") or "",
            received=bool((item.get("StockInfo") or {}).get("Received")),
        )
        for item in data.get("LineItems") or []
    ]
    payments = [
        PaymentInput(
            id=item.get("Id") or None,
            date=item.get("Date"),
            amount=item.get("Amount"),
            method_id=item.get("Method") or None,
            bfs_transaction_id=item.get("BFSTransactionId") or None,
            payment_processor=item.get("PaymentProcessor"),
            account_id=item.get("AccountId") or None,
            note=item.get("Note") or "",
            bank_transaction_id=item.get("BankTransactionId") or None,
        )
        for item in data.get("PaymentLines") or []
    ]
    return PurchaseInput(
        number=data.get("Number") or None,
        supplier_code=data["SupplierCode"],
        issued_date=data.get("IssuedDate"),
        due_date=data.get("DueDate"),
        supplier_reference=data.get("SupplierReference") or "",
        currency_code=currency.get("Code") or None,
        exchange_rate=currency.get("ExchangeRate"),
        project_number=data.get("ProjectNumber") or None,
        additional_field_value=data.get("AdditionalFieldValue") or "",
        purchase_in_ec_member_state=bool(data.get("PurchaseInECMemberState")),
        is_wht_deduction_to_be_applied=bool(data.get("IsWhtDeductionToBeApplied")),
        is_cis_reverse_charge=data.get("IsCISReverseCharge"),
        purchase_type=data.get("Type"),
        lines=lines,
        payments=payments,
    )
