"""The wire shape of a supplier (``kashflow-reference-data.md`` §1): the list
row, the detail, and the write body. Output serializers render model instances
(annotated by ``selectors.reference``) and describe them in the OpenAPI schema;
what finhub keeps no value for is null."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.purchases.currencies import currency_block
from apps.purchases.kashflow.wire import (
    BoundedCharField,
    CurrencyOutSerializer,
    DateOut,
    KfSerializer,
    MetaDataSerializer,
    MoneyOut,
    const,
    decimal_field,
    int_field,
    null,
    text_field,
)
from apps.purchases.models import Supplier, SupplierContact

# --- out ---------------------------------------------------------------------------


class AddressOutSerializer(serializers.Serializer):
    Line1 = serializers.CharField(source="address_line1")
    Line2 = serializers.CharField(source="address_line2")
    Line3 = serializers.CharField(source="address_line3")
    Line4 = serializers.CharField(source="address_line4")
    PostCode = serializers.CharField(source="post_code")
    CountryCode = serializers.CharField(source="country_code")
    CountryName = serializers.SerializerMethodField()

    def get_CountryName(self, supplier: Supplier) -> str | None:  # noqa: N802 - KashFlow's key
        import pycountry

        country = pycountry.countries.get(alpha_2=supplier.country_code) if supplier.country_code else None
        return country.name if country else None


class ContactOutSerializer(serializers.Serializer):
    Id = serializers.IntegerField(source="pk")
    IsPrimary = serializers.BooleanField(source="is_primary")
    ReceiveEmails = serializers.BooleanField(source="receive_emails")
    Name = serializers.CharField(source="name")
    Title = serializers.CharField(source="title")
    Firstname = serializers.CharField(source="first_name")
    LastName = serializers.CharField(source="last_name")
    Telephone = serializers.CharField(source="telephone")
    Fax = serializers.CharField(source="fax")
    Mobile = serializers.CharField(source="mobile")
    Website = serializers.CharField(source="website")
    Email = serializers.CharField(source="email")


class NameValueSerializer(KfSerializer):
    Name = serializers.CharField(max_length=100, allow_blank=True)
    Value = serializers.CharField(max_length=200, allow_blank=True)


class SupplierRowSerializer(serializers.Serializer):
    Id = serializers.IntegerField(source="pk")
    Code = serializers.CharField(source="code")
    Name = serializers.CharField(source="name")
    SourceName = null()
    TradeBorderType = serializers.CharField(source="trade_border_type")
    TotalPaidAmount = MoneyOut(source="paid")
    OutstandingBalance = MoneyOut(source="outstanding")
    DefaultVatRate = MoneyOut(source="default_vat_rate", allow_null=True)
    UsesDefaultPdftTheme = const(serializers.BooleanField, True)
    DoesSupplierHasTransactionsInVATReturn = const(serializers.BooleanField, False)
    IsArchived = serializers.BooleanField(source="is_archived")
    IsCISReverseCharge = serializers.BooleanField(source="is_cis_reverse_charge")
    ApplyWithholdingTax = serializers.BooleanField(source="apply_withholding_tax")
    IsVatRateEnabled = serializers.SerializerMethodField()
    VatExempt = serializers.BooleanField(source="vat_exempt")
    Currency = serializers.SerializerMethodField()
    Address = AddressOutSerializer(source="*")
    Contacts = ContactOutSerializer(source="contacts.all", many=True)
    WithholdingTaxReferences = NameValueSerializer(source="withholding_tax_references", many=True)

    def get_IsVatRateEnabled(self, supplier: Supplier) -> bool:  # noqa: N802 - KashFlow's key
        return supplier.default_vat_rate is not None

    @extend_schema_field(CurrencyOutSerializer(allow_null=True))
    def get_Currency(self, supplier: Supplier) -> dict[str, Any] | None:  # noqa: N802 - KashFlow's key
        if not supplier.currency_code:
            return None
        return dict(currency_block(supplier.currency_code, supplier.exchange_rate or 1))


class BankDetailsSerializer(serializers.Serializer):
    Name = serializers.CharField(source="bank_account_name")
    Number = serializers.CharField(source="bank_account_number")
    SortCode = serializers.CharField(source="bank_sort_code")


class PaymentTermsSerializer(serializers.Serializer):
    Type = serializers.CharField(source="payment_terms_type")
    Days = serializers.IntegerField(source="payment_terms_days")


class SupplierDetailSerializer(SupplierRowSerializer):
    VatNumber = serializers.CharField(source="vat_number")
    UniqueEntityNumber = serializers.CharField(source="unique_entity_number")
    Note = serializers.CharField(source="note")
    PaymentMethod = serializers.SerializerMethodField()
    DefaultNominalCode = serializers.SerializerMethodField()
    DefaultPdfTheme = const(serializers.IntegerField, 0)
    WithholdingTaxRate = MoneyOut(source="withholding_tax_rate", allow_null=True)
    BilledNetAmount = MoneyOut(source="billed_net")
    BilledVatAmount = MoneyOut(source="billed_vat")
    CreatedDate = DateOut(source="created_at")
    LastUpdatedDate = DateOut(source="updated_at")
    BankAccount = BankDetailsSerializer(source="*")
    PaymentTerms = PaymentTermsSerializer(source="*")

    def get_PaymentMethod(self, supplier: Supplier) -> int:  # noqa: N802 - KashFlow's key
        return supplier.payment_method_id or 0

    def get_DefaultNominalCode(self, supplier: Supplier) -> int:  # noqa: N802 - KashFlow's key
        return supplier.default_nominal.code if supplier.default_nominal else 0


class SupplierListOutSerializer(serializers.Serializer):
    Data = SupplierRowSerializer(many=True)
    MetaData = MetaDataSerializer()


# --- in ----------------------------------------------------------------------------


class AddressInSerializer(KfSerializer):
    Line1 = text_field(Supplier, "address_line1")
    Line2 = text_field(Supplier, "address_line2")
    Line3 = text_field(Supplier, "address_line3")
    Line4 = text_field(Supplier, "address_line4")
    PostCode = text_field(Supplier, "post_code")
    CountryCode = text_field(Supplier, "country_code")


class ContactInSerializer(KfSerializer):
    IsPrimary = serializers.BooleanField(required=False, allow_null=True)
    ReceiveEmails = serializers.BooleanField(required=False, allow_null=True)
    Name = text_field(SupplierContact, "name")
    Title = text_field(SupplierContact, "title")
    Firstname = text_field(SupplierContact, "first_name")
    LastName = text_field(SupplierContact, "last_name")
    Telephone = text_field(SupplierContact, "telephone")
    Fax = text_field(SupplierContact, "fax")
    Mobile = text_field(SupplierContact, "mobile")
    Website = text_field(SupplierContact, "website")
    Email = serializers.EmailField(max_length=254, required=False, allow_blank=True, allow_null=True)


class CurrencyRefSerializer(KfSerializer):
    Code = text_field(Supplier, "currency_code")
    ExchangeRate = decimal_field(Supplier, "exchange_rate", required=False, allow_null=True)


class BankDetailsInSerializer(KfSerializer):
    Name = text_field(Supplier, "bank_account_name")
    Number = text_field(Supplier, "bank_account_number")
    SortCode = text_field(Supplier, "bank_sort_code")


class PaymentTermsInSerializer(KfSerializer):
    Type = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True)
    Days = serializers.IntegerField(min_value=0, max_value=3650, required=False, allow_null=True)

    def validate_Type(self, value: str | None) -> str | None:  # noqa: N802 - KashFlow's key
        if not value:
            return None
        for choice in Supplier.PaymentTermsType.values:
            if choice.lower() == value.strip().lower():
                return choice
        raise serializers.ValidationError("accepted values are " + ", ".join(Supplier.PaymentTermsType.values))


class SupplierInSerializer(KfSerializer):
    """POST creates, PUT replaces the whole supplier (what is left out is emptied)."""

    Code = BoundedCharField(Supplier, "code", required=False, allow_blank=True, allow_null=True)
    Name = BoundedCharField(Supplier, "name", required=False, allow_blank=True, allow_null=True)
    CreateSupplierCodeIfDuplicate = serializers.BooleanField(required=False, allow_null=True)
    CreateSupplierNameIfEmptyOrNull = serializers.BooleanField(required=False, allow_null=True)
    VatNumber = text_field(Supplier, "vat_number")
    UniqueEntityNumber = text_field(Supplier, "unique_entity_number")
    Note = text_field(Supplier, "note")
    TradeBorderType = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True)
    IsArchived = serializers.BooleanField(required=False, allow_null=True)
    IsCISReverseCharge = serializers.BooleanField(required=False, allow_null=True)
    ApplyWithholdingTax = serializers.BooleanField(required=False, allow_null=True)
    WithholdingTaxRate = decimal_field(Supplier, "withholding_tax_rate", required=False, allow_null=True)
    DefaultVatRate = decimal_field(Supplier, "default_vat_rate", required=False, allow_null=True)
    VatExempt = serializers.BooleanField(required=False, allow_null=True)
    PaymentMethod = int_field(required=False, allow_null=True)
    DefaultNominalCode = int_field(required=False, allow_null=True)
    Currency = CurrencyRefSerializer(required=False, allow_null=True)
    Address = AddressInSerializer(required=False, allow_null=True)
    Contacts = serializers.ListField(child=ContactInSerializer(), required=False, allow_null=True, max_length=100)
    BankAccount = BankDetailsInSerializer(required=False, allow_null=True)
    PaymentTerms = PaymentTermsInSerializer(required=False, allow_null=True)
    WithholdingTaxReferences = serializers.ListField(
        child=NameValueSerializer(), required=False, allow_null=True, max_length=50
    )

    def validate_TradeBorderType(self, value: str | None) -> str | None:  # noqa: N802 - KashFlow's key
        if not value:
            return None
        for choice in Supplier.TradeBorderType.values:
            if choice.lower() == value.strip().lower():
                return choice
        raise serializers.ValidationError("accepted values are " + ", ".join(Supplier.TradeBorderType.values))
