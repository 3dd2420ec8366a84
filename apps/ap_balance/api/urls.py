from django.urls import path

from apps.ap_balance.api.views import ApBalanceReportView

kdp_urlpatterns = [
    path("invoice/report/ap/balance", ApBalanceReportView.as_view(), name="kdp-ap-balance-report"),
]
