"""The request shape of a purchase (POST /v2/purchases, PUT, /v2/purchaselist):
serializers with KashFlow's key names (matched case-insensitively) and the
conversion to the service's input."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from apps.purchases.kashflow.wire import KfDateField, KfSerializer
from apps.purchases.kashflow.wire import amount_field as _amount
from apps.purchases.kashflow.wire import int_field as _int
from apps.purchases.services import LineInput, PaymentInput, PurchaseInput


class CurrencyInSerializer(KfSerializer):
    Code = serializers.CharField(max_length=3, required=False, allow_blank=True, allow_null=True)
    ExchangeRate = serializers.DecimalField(
        max_digits=18, decimal_places=6, coerce_to_string=False, required=False, allow_null=True
    )


class StockInfoInSerializer(KfSerializer):
    Received = serializers.BooleanField(required=False, allow_null=True)


class LineItemInSerializer(KfSerializer):
    Number = _int(required=False, allow_null=True)
    Description = serializers.CharField(max_length=1000, allow_blank=True)
    Quantity = _amount()
    Rate = _amount()
    VATLevel = serializers.DecimalField(
        max_digits=9, decimal_places=4, coerce_to_string=False, min_value=Decimal(0), required=False, allow_null=True
    )
    VATExempt = serializers.BooleanField(required=False, allow_null=True)
    NominalCode = _int()
    ProductCode = serializers.CharField(max_length=50, required=False, allow_blank=True, allow_null=True)
    ProjectNumber = _int(required=False, allow_null=True)
    TaxCode = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True)
    StockInfo = StockInfoInSerializer(required=False, allow_null=True)


class PaymentLineInSerializer(KfSerializer):
    Id = _int(required=False, allow_null=True)
    Date = KfDateField(required=False, allow_null=True)
    Amount = _amount(required=False, allow_null=True)
    Method = _int(min_value=1)
    AccountId = _int(required=False, allow_null=True)
    Note = serializers.CharField(max_length=500, required=False, allow_blank=True, allow_null=True)
    BankTransactionId = _int(required=False, allow_null=True)


class PurchaseInSerializer(KfSerializer):
    Number = serializers.IntegerField(min_value=0, max_value=2**62, required=False, allow_null=True)
    IssuedDate = KfDateField()
    DueDate = KfDateField()
    SupplierCode = serializers.CharField(max_length=50)
    SupplierReference = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    Currency = CurrencyInSerializer(required=False, allow_null=True)
    LineItems = serializers.ListField(child=LineItemInSerializer(), required=False, allow_null=True)
    PaymentLines = serializers.ListField(child=PaymentLineInSerializer(), required=False, allow_null=True)
    ProjectNumber = _int(required=False, allow_null=True)
    AdditionalFieldValue = serializers.CharField(max_length=255, required=False, allow_blank=True, allow_null=True)
    PurchaseInECMemberState = serializers.BooleanField(required=False, allow_null=True)
    IsWhtDeductionToBeApplied = serializers.BooleanField(required=False, allow_null=True)


def purchase_input(data: dict[str, Any]) -> PurchaseInput:
    """Validated serializer data -> the service's input."""
    currency = data.get("Currency") or {}
    lines = [
        LineInput(
            number=item.get("Number") or None,
            description=item["Description"],
            quantity=item["Quantity"],
            rate=item["Rate"],
            vat_level=item.get("VATLevel") or Decimal(0),
            vat_exempt=bool(item.get("VATExempt")),
            nominal_code=item["NominalCode"],
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
            method_id=item["Method"],
            account_id=item.get("AccountId") or None,
            note=item.get("Note") or "",
            bank_transaction_id=item.get("BankTransactionId") or None,
        )
        for item in data.get("PaymentLines") or []
    ]
    return PurchaseInput(
        number=data.get("Number") or None,
        supplier_code=data["SupplierCode"],
        issued_date=data["IssuedDate"],
        due_date=data["DueDate"],
        supplier_reference=data.get("SupplierReference") or "",
        currency_code=currency.get("Code") or None,
        exchange_rate=currency.get("ExchangeRate"),
        project_number=data.get("ProjectNumber") or None,
        additional_field_value=data.get("AdditionalFieldValue") or "",
        purchase_in_ec_member_state=bool(data.get("PurchaseInECMemberState")),
        is_wht_deduction_to_be_applied=bool(data.get("IsWhtDeductionToBeApplied")),
        lines=lines,
        payments=payments,
    )
