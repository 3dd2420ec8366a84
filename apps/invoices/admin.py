from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.core.admin_exports import EXPORT_CHANGE_LIST_TEMPLATE, ListExportAdminMixin
from apps.core.admin_mixins import CurrencyTotalsMixin, ReadOnlyAdminMixin
from apps.core.exports.cells import field_columns
from apps.core.money_display import money_column
from apps.invoices.models import Invoice

# The export's columns, labelled like the admin; codes as the words the list shows.
INVOICE_EXPORT_COLUMNS = field_columns(
    Invoice,
    [
        "invoice_id", "invoice_date", "invoice_type", "payer", "bill_to", "currency", "amount", "tax_amount",
        "tax_rate", "tax_code", "due_date", "reverse_mark", "reverse_id", "order_id", "sap_order_id",
        "order_item", "delivery_note", "distribution_channel", "create_date", "amount_lc", "tax_amount_lc",
        "currency_lc", "year",
    ],
)  # fmt: skip


@admin.register(Invoice)
class InvoiceAdmin(CurrencyTotalsMixin, ListExportAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    export_columns = INVOICE_EXPORT_COLUMNS
    change_list_template = EXPORT_CHANGE_LIST_TEMPLATE
    # Fits 1366 px: the bill-to party and the year (a filter) are on the detail page.
    list_display = [
        "invoice_id", "invoice_date", "invoice_type", "payer", "currency", "amount_money",
        "tax_amount_money", "due_date", "reverse_mark",
    ]  # fmt: skip
    totals_fields = ("amount", "tax_amount")
    amount_money = money_column(Invoice, "amount", currency="currency")
    tax_amount_money = money_column(Invoice, "tax_amount", currency="currency")
    amount_lc_money = money_column(Invoice, "amount_lc", currency="currency_lc")
    tax_amount_lc_money = money_column(Invoice, "tax_amount_lc", currency="currency_lc")
    list_filter = ["year", "invoice_type", "currency", "reverse_mark", "distribution_channel"]
    search_fields = ["invoice_id", "order_id", "sap_order_id", "payer", "bill_to"]
    date_hierarchy = "invoice_date"
    list_select_related = ["job"]
    show_full_result_count = False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        """The detail page: every field, the amounts by the money rule."""
        money = {
            "amount": "amount_money",
            "tax_amount": "tax_amount_money",
            "amount_lc": "amount_lc_money",
            "tax_amount_lc": "tax_amount_lc_money",
        }
        return [money.get(f.name, f.name) for f in Invoice._meta.fields if f.name not in ("id", "row_hash")]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return self.get_fields(request, obj)
