from django.contrib import admin
from import_export import resources

from apps.core.admin_mixins import ExportCsvXlsxMixin, ReadOnlyAdminMixin
from apps.invoices.models import Invoice


class InvoiceResource(resources.ModelResource):
    class Meta:
        model = Invoice
        exclude = ["row_hash"]


@admin.register(Invoice)
class InvoiceAdmin(ExportCsvXlsxMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    resource_classes = [InvoiceResource]
    list_display = [
        "invoice_id", "invoice_date", "invoice_type", "payer", "bill_to", "currency", "amount",
        "tax_amount", "due_date", "reverse_mark", "year",
    ]  # fmt: skip
    list_filter = ["year", "invoice_type", "currency", "reverse_mark", "distribution_channel"]
    search_fields = ["invoice_id", "order_id", "sap_order_id", "payer", "bill_to"]
    date_hierarchy = "invoice_date"
    list_select_related = ["job"]
    show_full_result_count = False
