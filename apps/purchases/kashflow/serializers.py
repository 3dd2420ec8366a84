"""KashFlow wire shapes: request serializers (validation, case-insensitive keys),
the functions that write responses, and response serializers that only
describe those responses in the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.purchases.currencies import currency_block
from apps.purchases.models import PaymentLine, Purchase, PurchaseLine
from apps.purchases.services import (
    STATUS_OVERDUE,
    LineInput,
    PaymentInput,
    PurchaseInput,
    purchase_status,
    to_home,
)

MAX_INT = 2_147_483_647
CENT = Decimal("0.01")
FOUR = Decimal("0.0001")


def money(value: Decimal) -> Decimal:
    """2 places when that loses nothing (195.0800 -> 195.08), else as stored."""
    short = value.quantize(CENT)
    return short if short == value else value


def rate4(value: Decimal) -> Decimal:
    short = value.quantize(FOUR)
    return short if short == value else value


def kf_date(value: dt.date | None) -> str | None:
    """KashFlow writes dates as ``2014-01-10 12:00:00`` (a date, shown at noon)."""
    return None if value is None else f"{value.isoformat()} 12:00:00"


def kf_datetime(value: dt.datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


@extend_schema_field({"type": "string", "example": "2014-01-10 12:00:00"})
class KfDateField(serializers.Field):
    """Accepts ``2014-01-10 12:00:00``, ISO 8601 (``2014-01-10T12:00:00Z``) and a bare date."""

    default_error_messages = {"invalid": "Dates are written 2014-01-10 12:00:00, ISO 8601 or 2014-01-10."}

    def to_internal_value(self, data: Any) -> dt.date:
        if isinstance(data, dt.datetime):
            return data.date()
        if isinstance(data, dt.date):
            return data
        if not isinstance(data, str):
            self.fail("invalid")
        text = data.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            return dt.datetime.fromisoformat(text).date()
        except ValueError:
            self.fail("invalid")
        raise AssertionError  # pragma: no cover

    def to_representation(self, value: dt.date) -> str | None:
        return kf_date(value)


class KfSerializer(serializers.Serializer):
    """Keys are matched case-insensitively (clients send ``username`` as well as ``UserName``)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            lookup = {str(name).lower(): str(name) for name in self.fields}
            data = {lookup.get(str(key).lower(), key): value for key, value in data.items()}
        return super().to_internal_value(data)


def _amount(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=18, decimal_places=4, coerce_to_string=False, **kwargs)


def _int(**kwargs: Any) -> serializers.IntegerField:
    kwargs.setdefault("min_value", 0)
    return serializers.IntegerField(max_value=MAX_INT, **kwargs)


# --- requests --------------------------------------------------------------------


class SessionStartSerializer(KfSerializer):
    UserName = serializers.CharField(max_length=150)
    Password = serializers.CharField(max_length=256, trim_whitespace=False)


class MemorableCharSerializer(KfSerializer):
    Position = _int(min_value=1)
    Value = serializers.CharField(max_length=1, trim_whitespace=False)


class SessionFinishSerializer(KfSerializer):
    TemporaryToken = serializers.CharField(max_length=64)
    MemorableWordList = serializers.ListField(child=MemorableCharSerializer(), allow_empty=False, max_length=20)


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


# --- responses -------------------------------------------------------------------


def purchase_permalink(purchase: Purchase) -> str:
    return f"/v2/documents/purchaseorder/{purchase.uuid}"


def payment_permalink(payment: PaymentLine) -> str:
    return f"/v2/documents/purchasepayment/{payment.uuid}"


def line_item_data(line: PurchaseLine, exchange_rate: Decimal) -> dict[str, Any]:
    product = line.product
    stock = None
    if product is not None and product.stock_managed:
        stock = {
            "Name": product.name,
            "QuantityInStock": product.quantity_in_stock,
            "ApplicableOn": "Product",
            "Received": line.stock_received,
            "StockReceivedOn": kf_datetime(line.stock_received_on),
        }
    project = line.project
    return {
        "Number": line.number,
        "Description": line.description,
        "Quantity": line.quantity,
        "Rate": money(line.rate),
        "VATLevel": line.vat_level,
        "VATExempt": line.vat_exempt,
        "VATAmount": line.vat_amount,
        "HomeCurrencyRate": to_home(line.rate, exchange_rate),
        "HomeCurrencyVATAmount": to_home(line.vat_amount, exchange_rate),
        "NominalCode": line.nominal.code,
        "NominalName": line.nominal.name,
        "ProductCode": product.code if product else "",
        "ProductName": product.name if product else "",
        "ProjectNumber": project.number if project else 0,
        "ProjectName": project.name if project else "",
        "TaxCode": line.tax_code or None,
        "StockInfo": stock,
    }


def payment_line_data(payment: PaymentLine) -> dict[str, Any]:
    return {
        "Id": payment.pk,
        "Date": kf_date(payment.date),
        "Amount": money(payment.amount),
        "Method": payment.method_id,
        "AccountId": payment.bank_account_id,
        "Note": payment.note,
        "BankTransactionId": payment.bank_transaction_id,
        "BulkId": payment.bulk_id,
        "BulkPaymentNumber": payment.bulk_payment_number,
        "Permalink": payment_permalink(payment),
    }


def purchase_data(
    purchase: Purchase,
    *,
    today: dt.date,
    previous_number: int = 0,
    next_number: int = 0,
    lines: list[PurchaseLine] | None = None,
    payments: list[PaymentLine] | None = None,
    detail: bool = False,
) -> dict[str, Any]:
    """One purchase as KashFlow writes it. List rows pass no lines/payments (null)."""
    # The purchase's copies of its supplier's and project's codes and names
    # (kept in step by Supplier.save / Project.save): list rows have no joins.
    rate = purchase.exchange_rate
    status = purchase_status(purchase, today)
    data: dict[str, Any] = {
        "Id": purchase.pk,
        "Number": purchase.number,
        "IssuedDate": kf_date(purchase.issued_date),
        "DueDate": kf_date(purchase.due_date),
        "PaidDate": kf_date(purchase.paid_date),
        "SupplierId": purchase.supplier_id,
        "SupplierCode": purchase.supplier_code,
        "SupplierName": purchase.supplier_name,
        "SupplierReference": purchase.supplier_reference,
        "Currency": currency_block(purchase.currency_code, rate4(rate)),
        "NetAmount": purchase.net_amount,
        "VATAmount": purchase.vat_amount,
        "GrossAmount": purchase.gross_amount,
        "HomeCurrencyGrossAmount": purchase.home_currency_gross_amount,
        "TotalPaidAmount": money(purchase.total_paid_amount),
        "DueAmount": money(purchase.gross_amount - purchase.total_paid_amount),
        "Status": status,
        "OverdueDays": (today - purchase.due_date).days if status == STATUS_OVERDUE else 0,
        "LineItems": None if lines is None else [line_item_data(line, rate) for line in lines],
        "PaymentLines": None if payments is None else [payment_line_data(p) for p in payments],
        "ProjectNumber": purchase.project_number or 0,
        "ProjectName": purchase.project_name if purchase.project_number else "",
        "Permalink": purchase_permalink(purchase),
        "PreviousNumber": previous_number,
        "NextNumber": next_number,
        "AdditionalFieldValue": purchase.additional_field_value,
        "PurchaseInECMemberState": purchase.purchase_in_ec_member_state,
        "IsWhtDeductionToBeApplied": purchase.is_wht_deduction_to_be_applied,
        "FileCount": purchase.file_count,
    }
    if detail:
        data["StockManagementApplicable"] = any(
            line.product is not None and line.product.stock_managed for line in lines or []
        )
    return data


# --- response shapes for the OpenAPI schema ----------------------------------------


def _num(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=30, decimal_places=6, coerce_to_string=False, **kwargs)


class ErrorSerializer(serializers.Serializer):
    Message = serializers.CharField()
    Error = serializers.CharField()


class CurrencyOutSerializer(serializers.Serializer):
    Code = serializers.CharField()
    Name = serializers.CharField()
    Symbol = serializers.CharField()
    ExchangeRate = _num()
    DisplaySymbolOnRight = serializers.BooleanField()


class StockInfoOutSerializer(serializers.Serializer):
    Name = serializers.CharField()
    QuantityInStock = _num()
    ApplicableOn = serializers.ChoiceField(choices=["Product", "Nominal"])
    Received = serializers.BooleanField()
    StockReceivedOn = serializers.CharField(allow_null=True)


class LineItemOutSerializer(serializers.Serializer):
    Number = serializers.IntegerField()
    Description = serializers.CharField()
    Quantity = _num()
    Rate = _num()
    VATLevel = _num()
    VATExempt = serializers.BooleanField()
    VATAmount = _num()
    HomeCurrencyRate = _num()
    HomeCurrencyVATAmount = _num()
    NominalCode = serializers.IntegerField()
    NominalName = serializers.CharField()
    ProductCode = serializers.CharField()
    ProductName = serializers.CharField()
    ProjectNumber = serializers.IntegerField()
    ProjectName = serializers.CharField()
    TaxCode = serializers.CharField(allow_null=True)
    StockInfo = StockInfoOutSerializer(allow_null=True)


class PaymentLineOutSerializer(serializers.Serializer):
    Id = serializers.IntegerField()
    Date = serializers.CharField()
    Amount = _num()
    Method = serializers.IntegerField()
    AccountId = serializers.IntegerField()
    Note = serializers.CharField()
    BankTransactionId = serializers.IntegerField(allow_null=True)
    BulkId = serializers.IntegerField(allow_null=True)
    BulkPaymentNumber = serializers.IntegerField(allow_null=True)
    Permalink = serializers.CharField()


class PurchaseOutSerializer(serializers.Serializer):
    Id = serializers.IntegerField()
    Number = serializers.IntegerField()
    IssuedDate = serializers.CharField()
    DueDate = serializers.CharField()
    PaidDate = serializers.CharField(allow_null=True)
    SupplierId = serializers.IntegerField()
    SupplierCode = serializers.CharField()
    SupplierName = serializers.CharField()
    SupplierReference = serializers.CharField()
    Currency = CurrencyOutSerializer()
    NetAmount = _num()
    VATAmount = _num()
    GrossAmount = _num()
    HomeCurrencyGrossAmount = _num()
    TotalPaidAmount = _num()
    DueAmount = _num()
    Status = serializers.ChoiceField(choices=["Unpaid", "Paid", "Overpaid", "Overdue", "NA"])
    OverdueDays = serializers.IntegerField()
    LineItems = LineItemOutSerializer(many=True, allow_null=True)
    PaymentLines = PaymentLineOutSerializer(many=True, allow_null=True)
    ProjectNumber = serializers.IntegerField()
    ProjectName = serializers.CharField()
    Permalink = serializers.CharField()
    PreviousNumber = serializers.IntegerField()
    NextNumber = serializers.IntegerField()
    AdditionalFieldValue = serializers.CharField()
    PurchaseInECMemberState = serializers.BooleanField()
    IsWhtDeductionToBeApplied = serializers.BooleanField()
    StockManagementApplicable = serializers.BooleanField(required=False)
    FileCount = serializers.IntegerField()


class MetaDataSerializer(serializers.Serializer):
    FirstPageUrl = serializers.CharField()
    LastPageUrl = serializers.CharField()
    NextPageUrl = serializers.CharField(allow_null=True)
    PreviousPageUrl = serializers.CharField(allow_null=True)
    TotalRecords = serializers.IntegerField()


class PurchaseListOutSerializer(serializers.Serializer):
    Data = PurchaseOutSerializer(many=True)
    MetaData = MetaDataSerializer()


class PurchaseListResultSerializer(serializers.Serializer):
    Number = serializers.IntegerField(allow_null=True)
    ErrorCode = serializers.CharField(allow_null=True)
    Reason = serializers.CharField(allow_null=True)
    BankTransactionId = serializers.IntegerField(allow_null=True)


class MemorableCharOutSerializer(serializers.Serializer):
    Position = serializers.IntegerField()
    Value = serializers.CharField()


class SessionStartOutSerializer(serializers.Serializer):
    TemporaryToken = serializers.CharField()
    MemorableWordList = MemorableCharOutSerializer(many=True)
    IsAdmin = serializers.BooleanField()
    HasTemporaryPassword = serializers.BooleanField()
    SubscriptionExpired = serializers.BooleanField()


class SessionOutSerializer(serializers.Serializer):
    SessionToken = serializers.CharField()
    IsAdmin = serializers.BooleanField()
    CompanyName = serializers.CharField()
    SubscriptionExpired = serializers.BooleanField()


class SessionInfoSerializer(serializers.Serializer):
    UserName = serializers.CharField()
    IsAdmin = serializers.BooleanField()
    TokenKind = serializers.ChoiceField(choices=["Session", "LongLived"])
    ExpiresOn = serializers.CharField(allow_null=True)
