"""The response shape of a purchase: the functions that write a purchase, its
lines and payments as KashFlow does, and serializers that only describe those
responses in the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from rest_framework import exceptions as drf
from rest_framework import serializers

from apps.purchases.currencies import currency_block
from apps.purchases.kashflow.wire import CurrencyOutSerializer, MetaDataSerializer, kf_date, kf_datetime, money, rate4
from apps.purchases.kashflow.wire import num_field as _num
from apps.purchases.models import PaymentLine, Purchase, PurchaseLine, PurchaseStatus, status_of
from apps.purchases.pricing import to_home
from apps.purchases.selectors import purchase_detail


def purchase_permalink(purchase: Purchase) -> str:
    return f"/v2/documents/purchase/{purchase.uuid}"


def payment_permalink(payment: PaymentLine) -> str:
    return f"/v2/documents/purchase/payment/{payment.uuid}"


def line_item_data(line: PurchaseLine, exchange_rate: Decimal) -> dict[str, Any]:
    product = line.product
    stock = None
    if product is not None and product.stock_managed:
        stock = {
            "Name": product.name,
            "QuantityInStock": product.quantity_in_stock,
            "ApplicableOn": "Product",
            "Type": "Product",
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
        "ImportDuty": money(line.import_duty),
        "HomeCurrencyImportDuty": to_home(line.import_duty, exchange_rate),
        "Disallowed": line.disallowed,
        "DisableDisallowed": False,
        "NominalId": line.nominal_id,
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
        "BFSTransactionId": payment.bfs_transaction_id,
        "PaymentProcessor": payment.payment_processor,
        # finhub has no payment processors, credit-note payments or VAT returns.
        "PaymentProcessorEnumValue": None,
        "IsPaymentCreditNote": False,
        "VATReturnId": 0,
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
    status = status_of(purchase.settlement, purchase.due_date, today)
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
        "OverdueDays": (today - purchase.due_date).days if status == PurchaseStatus.OVERDUE else 0,
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
        "Type": purchase.purchase_type,
        "IsCISReverseCharge": purchase.is_cis_reverse_charge,
        "CISRCNetAmount": purchase.cis_rc_net_amount,
        "CISRCVatAmount": purchase.cis_rc_vat_amount,
        "TradeBorderType": purchase.trade_border_type,
        # finhub sends no e-mails and files no VAT returns.
        "IsEmailSent": False,
        "VATReturnId": 0,
    }
    if not detail:
        # The gross amount booked to a project: the purchase's, when it has one.
        data["ProjectGrossAmount"] = purchase.gross_amount if purchase.project_number else Decimal("0.00")
    if detail:
        data["StockManagementApplicable"] = any(
            line.product is not None and line.product.stock_managed for line in lines or []
        )
    return data


def purchase_response(number: int) -> dict[str, Any]:
    found = purchase_detail(number)
    if found is None:
        raise drf.NotFound()
    purchase, lines, payments, previous_number, next_number = found
    return purchase_data(
        purchase,
        today=timezone.localdate(),
        previous_number=previous_number,
        next_number=next_number,
        lines=lines,
        payments=payments,
        detail=True,
    )


# --- response shapes for the OpenAPI schema ----------------------------------------


class StockInfoOutSerializer(serializers.Serializer):
    Name = serializers.CharField()
    QuantityInStock = _num()
    ApplicableOn = serializers.ChoiceField(choices=["Product", "Nominal"])
    Type = serializers.ChoiceField(choices=["Product", "Nominal"])
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
    ImportDuty = _num()
    HomeCurrencyImportDuty = _num()
    Disallowed = serializers.BooleanField()
    DisableDisallowed = serializers.BooleanField()
    NominalId = serializers.IntegerField()
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
    BFSTransactionId = serializers.IntegerField(allow_null=True)
    PaymentProcessor = serializers.IntegerField(allow_null=True)
    PaymentProcessorEnumValue = serializers.CharField(allow_null=True)
    IsPaymentCreditNote = serializers.BooleanField()
    VATReturnId = serializers.IntegerField()
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
    Type = serializers.ChoiceField(choices=["Purchase", "Expense"])
    IsCISReverseCharge = serializers.BooleanField()
    CISRCNetAmount = _num()
    CISRCVatAmount = _num()
    TradeBorderType = serializers.ChoiceField(choices=["Domestic", "EU", "Rest of World"])
    IsEmailSent = serializers.BooleanField()
    VATReturnId = serializers.IntegerField()
    ProjectGrossAmount = _num(required=False, help_text="List rows only")


class PurchaseListOutSerializer(serializers.Serializer):
    Data = PurchaseOutSerializer(many=True)
    MetaData = MetaDataSerializer()


class PurchaseListResultSerializer(serializers.Serializer):
    Number = serializers.IntegerField(allow_null=True)
    ErrorCode = serializers.CharField(allow_null=True)
    Reason = serializers.CharField(allow_null=True)
    BankTransactionId = serializers.IntegerField(allow_null=True)
