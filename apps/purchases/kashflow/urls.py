"""/v2: KashFlow REST API v2. Each route also answers with a trailing slash; any
other URL under /v2 is a 404 in KashFlow's error body."""

from django.urls import path, re_path

from apps.purchases.kashflow.bankaccounts import BankAccountDetailView, BankAccountsPagedView, BankAccountsView
from apps.purchases.kashflow.base import NotFoundView
from apps.purchases.kashflow.customers import CustomerDetailView, CustomersView
from apps.purchases.kashflow.documents import DocumentView, PaymentDocumentView
from apps.purchases.kashflow.nominals import NominalByIdView, NominalDetailView, NominalsView
from apps.purchases.kashflow.projects import ProjectDetailView, ProjectsView
from apps.purchases.kashflow.purchaselist import PurchaseListCreateView
from apps.purchases.kashflow.purchases import PurchaseDetailView, PurchasesView
from apps.purchases.kashflow.sessiontoken import SessionTokenDeleteView, SessionTokenView
from apps.purchases.kashflow.suppliers import SupplierDetailView, SuppliersView

_routes = [
    ("sessiontoken", SessionTokenView, "kashflow-sessiontoken"),
    ("sessiontoken/<str:token>", SessionTokenDeleteView, "kashflow-sessiontoken-delete"),
    ("purchases", PurchasesView, "kashflow-purchases"),
    ("purchases/<str:number>", PurchaseDetailView, "kashflow-purchase"),
    ("purchaselist", PurchaseListCreateView, "kashflow-purchaselist"),
    ("suppliers", SuppliersView, "kashflow-suppliers"),
    ("suppliers/<str:code>", SupplierDetailView, "kashflow-supplier"),
    ("nominals", NominalsView, "kashflow-nominals"),
    ("nominals/Id/<str:nominal_id>", NominalByIdView, "kashflow-nominal-by-id"),
    ("nominals/<str:code>", NominalDetailView, "kashflow-nominal"),
    ("projects", ProjectsView, "kashflow-projects"),
    ("projects/<str:number>", ProjectDetailView, "kashflow-project"),
    ("bankaccounts", BankAccountsView, "kashflow-bankaccounts"),
    ("bankaccounts/list", BankAccountsPagedView, "kashflow-bankaccounts-paged"),
    ("bankaccounts/<str:account_id>", BankAccountDetailView, "kashflow-bankaccount"),
    ("customers", CustomersView, "kashflow-customers"),
    ("customers/<str:code>", CustomerDetailView, "kashflow-customer"),
    ("documents/purchase/payment/<str:key>", PaymentDocumentView, "kashflow-payment-document"),
    ("documents/purchase/<str:key>", DocumentView, "kashflow-document"),
    # The older permalinks keep working.
    ("documents/purchaseorder/<str:key>", DocumentView, "kashflow-document-purchaseorder"),
    ("documents/purchasepayment/<str:key>", PaymentDocumentView, "kashflow-payment-document-old"),
]

urlpatterns = []
for route, view, name in _routes:
    urlpatterns.append(path(route, view.as_view(), name=name))
    urlpatterns.append(path(route + "/", view.as_view()))
urlpatterns.append(re_path(r"", NotFoundView.as_view(), name="kashflow-not-found"))
