"""Admin of suppliers: what KashFlow keeps of a supplier (terms, defaults for
new purchases, address, bank details, tax settings) with their contacts inline;
import and export as CSV/XLSX."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from import_export import resources

from apps.core.admin_mixins import ImportExportAdmin
from apps.purchases.models import Supplier, SupplierContact

WITHHOLDING_REFERENCES_HELP = _(
    'A list of references, each with its name and value: [{"Name": "…", "Value": "…"}] (JSON, keys as shown).'
)


class SupplierResource(resources.ModelResource):
    class Meta:
        model = Supplier
        import_id_fields = ["code"]
        fields = [
            "code",
            "name",
            "vat_number",
            "email",
            "currency_code",
            "payment_terms_type",
            "payment_terms_days",
            "trade_border_type",
            "is_cis_reverse_charge",
            "address_line1",
            "address_line2",
            "address_line3",
            "address_line4",
            "post_code",
            "country_code",
            "is_archived",
        ]


class SupplierContactInline(admin.TabularInline):
    model = SupplierContact
    extra = 0
    fields = ["is_primary", "name", "first_name", "last_name", "email", "telephone", "mobile", "receive_emails"]


@admin.register(Supplier)
class SupplierAdmin(ImportExportAdmin):
    resource_classes = [SupplierResource]
    list_display = [
        "code",
        "name",
        "vat_number",
        "currency_code",
        "payment_terms_days",
        "default_nominal",
        "trade_border_type",
        "is_archived",
        "created_at",
    ]
    list_filter = ["is_archived", "trade_border_type", "is_cis_reverse_charge", "currency_code"]
    search_fields = ["code", "name", "vat_number", "email"]
    autocomplete_fields = ["default_nominal"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [SupplierContactInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "vat_number", "email", "is_archived"]}),
        (
            _("New purchases"),
            {
                "fields": [
                    ("payment_terms_type", "payment_terms_days"),
                    "default_nominal",
                    "payment_method",
                    ("currency_code", "exchange_rate"),
                ]
            },
        ),
        (
            _("Tax"),
            {
                "fields": [
                    "trade_border_type",
                    "is_cis_reverse_charge",
                    ("vat_exempt", "default_vat_rate"),
                    ("apply_withholding_tax", "withholding_tax_rate"),
                    "withholding_tax_references",
                    "unique_entity_number",
                ]
            },
        ),
        (
            _("Address"),
            {
                "fields": [
                    "address_line1",
                    "address_line2",
                    "address_line3",
                    "address_line4",
                    ("post_code", "country_code"),
                ]
            },
        ),
        (_("Bank details"), {"fields": ["bank_account_name", "bank_account_number", "bank_sort_code"]}),
        (None, {"fields": ["note", ("created_at", "updated_at")]}),
    ]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "withholding_tax_references" and field is not None:
            # The keys are KashFlow's and stay as typed; the help says what they hold, in words.
            field.help_text = WITHHOLDING_REFERENCES_HELP
        return field
