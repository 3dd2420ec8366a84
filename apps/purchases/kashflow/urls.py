"""/v2: KashFlow REST API v2. Each route also answers with a trailing slash; any
other URL under /v2 is a 404 in KashFlow's error body."""

from django.urls import path, re_path

from apps.purchases.kashflow.base import NotFoundView
from apps.purchases.kashflow.documents import DocumentView, PaymentDocumentView
from apps.purchases.kashflow.purchaselist import PurchaseListCreateView
from apps.purchases.kashflow.purchases import PurchaseDetailView, PurchasesView
from apps.purchases.kashflow.sessiontoken import SessionTokenDeleteView, SessionTokenView

_routes = [
    ("sessiontoken", SessionTokenView, "kashflow-sessiontoken"),
    ("sessiontoken/<str:token>", SessionTokenDeleteView, "kashflow-sessiontoken-delete"),
    ("purchases", PurchasesView, "kashflow-purchases"),
    ("purchases/<str:number>", PurchaseDetailView, "kashflow-purchase"),
    ("purchaselist", PurchaseListCreateView, "kashflow-purchaselist"),
    ("documents/purchaseorder/<str:key>", DocumentView, "kashflow-document"),
    ("documents/purchasepayment/<str:key>", PaymentDocumentView, "kashflow-payment-document"),
]

urlpatterns = []
for route, view, name in _routes:
    urlpatterns.append(path(route, view.as_view(), name=name))
    urlpatterns.append(path(route + "/", view.as_view()))
urlpatterns.append(re_path(r"", NotFoundView.as_view(), name="kashflow-not-found"))
