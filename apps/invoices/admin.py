from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from import_export import resources

from apps.core.admin_mixins import CurrencyTotalsMixin, ExportCsvXlsxMixin, ReadOnlyAdminMixin
from apps.core.money_display import money_column
from apps.invoices.models import Invoice


class InvoiceResource(resources.ModelResource):
    class Meta:
        model = Invoice
        exclude = ["row_hash"]


@admin.register(Invoice)
class InvoiceAdmin(CurrencyTotalsMixin, ExportCsvXlsxMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    resource_classes = [InvoiceResource]
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
