"""/api/v1/purchases/: the internal read API (paginated, filtered, ordered)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from apps.purchases.services import LineInput, PurchaseInput, purchase_create

pytestmark = pytest.mark.django_db


def make(number, due):
    return purchase_create(
        PurchaseInput(
            number=number,
            supplier_code="08C",
            issued_date=dt.date(2030, 1, 1),
            due_date=due,
            lines=[LineInput(description="x", quantity=Decimal(1), rate=Decimal(10), nominal_code=5000)],
        )
    )


def test_read_api_lists_filters_and_needs_the_view_permission(client, demo):
    make(1, dt.date(2000, 1, 1))
    make(2, dt.date(2999, 1, 1))
    user = get_user_model().objects.create_user("reader", password="pw-reader-12345")
    client.force_login(user)
    assert client.get("/api/v1/purchases/").status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="view_purchase"))
    body = client.get("/api/v1/purchases/").json()
    assert body["count"] == 2
    first = body["results"][0]
    assert first["number"] == 1 and first["status"] == "Overdue" and first["gross_amount"] == "10.00"
    assert first["lines"][0]["nominal_code"] == 5000
    assert [p["number"] for p in client.get("/api/v1/purchases/?status=Unpaid").json()["results"]] == [2]
    assert [p["number"] for p in client.get("/api/v1/purchases/?ordering=-number").json()["results"]] == [2, 1]
    assert client.get("/api/v1/purchases/2/").json()["status"] == "Unpaid"
