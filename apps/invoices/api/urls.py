from django.urls import path

from apps.invoices.api.views import InvoiceReportView

kdp_urlpatterns = [
    path("invoice/report/info", InvoiceReportView.as_view(), name="kdp-invoice-report"),
]
