"""The internal read API under /api/v1/: one router, each app registers its viewsets here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from apps.ap_balance.api.views import AgeingViewSet, CompareViewSet, SnapshotLineViewSet, SnapshotViewSet
from apps.core.api.views import ImportJobViewSet
from apps.invoices.api.views import InvoiceViewSet
from apps.purchases.api import PurchaseViewSet
from apps.reconciliation.api.views import ReconciliationStatementViewSet, StatementMatchView

router = DefaultRouter(trailing_slash=True)
router.register("imports", ImportJobViewSet, basename="import-job")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("reconciliations", ReconciliationStatementViewSet, basename="reconciliation")
router.register("ap-balances/snapshots", SnapshotViewSet, basename="ap-balance-snapshot")
router.register("ap-balances/ageing", AgeingViewSet, basename="ap-balance-ageing")
router.register("ap-balances/compare", CompareViewSet, basename="ap-balance-compare")
router.register("ap-balances", SnapshotLineViewSet, basename="ap-balance")
router.register("purchases", PurchaseViewSet, basename="purchase")

app_name = "api"
urlpatterns = [
    path("reconciliations/<str:public_id>/match/", StatementMatchView.as_view(), name="reconciliation-match"),
    *router.urls,
]
