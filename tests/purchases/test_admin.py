"""The purchases admin: inline lines and payments with totals recomputed by the
API's service, filters, search, CSV/XLSX export, history, API users and tokens."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from apps.purchases.models import (
    BankAccount,
    KashflowToken,
    KashflowUser,
    NominalAccount,
    PaymentMethod,
    Purchase,
    Supplier,
)
from apps.purchases.services import LineInput, PurchaseInput, purchase_create
from tests.core.test_admin import assert_kept_nowhere, one_time_secrets

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, demo):
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-12345-long")
    client.force_login(user)
    return client


def inline_management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_create_purchase_with_inlines_recomputes_totals(staff):
    supplier = Supplier.objects.get(code="08C")
    nominal = NominalAccount.objects.get(code=5000)
    method = PaymentMethod.objects.first()
    account = BankAccount.objects.first()
    data = {
        "number": "",
        "supplier": supplier.pk,
        "supplier_reference": "adm-1",
        "issued_date": "2030-01-10",
        "due_date": "2030-02-10",
        "currency_code": "aud",
        "exchange_rate": "2",
        "additional_field_value": "",
        **inline_management("lines", 2),
        "lines-0-description": "product description",
        "lines-0-quantity": "3",
        "lines-0-rate": "15",
        "lines-0-vat_level": "13.5",
        "lines-0-nominal": nominal.pk,
        "lines-0-tax_code": "",
        "lines-1-description": "line item 2",
        "lines-1-quantity": "10",
        "lines-1-rate": "12",
        "lines-1-vat_level": "20",
        "lines-1-nominal": NominalAccount.objects.get(code=7403).pk,
        "lines-1-tax_code": "",
        **inline_management("payments", 1),
        "payments-0-date": "2030-01-11",
        "payments-0-amount": "95.08",
        "payments-0-method": method.pk,
        "payments-0-bank_account": account.pk,
        "payments-0-note": "",
    }
    response = staff.post(reverse("admin:purchases_purchase_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    purchase = Purchase.objects.get(supplier_reference="adm-1")
    assert purchase.number >= 1 and purchase.currency_code == "AUD"
    assert (purchase.net_amount, purchase.vat_amount, purchase.gross_amount) == (
        Decimal("165.00"),
        Decimal("30.08"),
        Decimal("195.08"),
    )
    assert purchase.home_currency_gross_amount == Decimal("97.54")
    assert purchase.total_paid_amount == Decimal("95.08") and purchase.status == "Unpaid"
    assert list(purchase.lines.values_list("number", "vat_amount")) == [(1, Decimal("6.08")), (2, Decimal("24.00"))]
    # One history row for one save, with the final totals and the signed-in user.
    [record] = purchase.history.all()
    assert record.history_user.username == "boss" and record.gross_amount == Decimal("195.08")
    history = staff.get(reverse("admin:purchases_purchase_history", args=[purchase.pk]))
    assert history.status_code == 200
    assert "boss" in history.content.decode()
    change = reverse("admin:purchases_purchase_change", args=[purchase.pk])
    page = staff.get(change).content.decode()
    assert '<span class="money">195.08</span>' in page


def test_changelist_filters_search_and_export(staff):
    purchase_create(
        PurchaseInput(
            supplier_code="08C",
            issued_date=dt.date(2030, 1, 1),
            due_date=dt.date(2030, 2, 1),
            supplier_reference="find-me",
            lines=[LineInput(description="x", quantity=Decimal(2), rate=Decimal(5), nominal_code=5000)],
        )
    )
    url = reverse("admin:purchases_purchase_changelist")
    assert staff.get(url).status_code == 200
    for query in ("status=Unpaid", "status=Overdue", "q=find-me", "issued_date__gte=2030-01-01"):
        response = staff.get(f"{url}?{query}")
        assert response.status_code == 200, query
    assert "find-me" in staff.get(f"{url}?q=find-me").content.decode()
    for fmt in (0, 1):  # CSV, XLSX
        export = staff.post(
            url,
            {
                "action": "export_admin_action",
                "_selected_action": list(Purchase.objects.values_list("pk", flat=True)),
                "format": fmt,
            },
        )
        assert export.status_code in (200, 302), export.content[:500]
    csv_export = staff.post(
        reverse("admin:purchases_purchase_export"),
        {
            "format": "0",
            "resource": "0",
            **{f"purchaseresource_{f}": "on" for f in ["number", "gross_amount", "status"]},
        },
    )
    assert csv_export.status_code == 200
    text = csv_export.content.decode()
    assert "gross_amount" in text and "10.00" in text and "Unpaid" in text


def test_reference_admin_pages_load(staff):
    for model in ("supplier", "nominalaccount", "project", "product", "bankaccount", "banktransaction", "kashflowuser"):
        assert staff.get(reverse(f"admin:purchases_{model}_changelist")).status_code == 200, model
        assert staff.get(reverse(f"admin:purchases_{model}_add")).status_code == 200, model


def test_admin_sets_memorable_word_and_issues_a_long_lived_token(staff, client):
    user = get_user_model().objects.create_user("carol", password="pw-98765-long")
    response = staff.post(
        reverse("admin:purchases_kashflowuser_add"),
        {
            "user": user.pk,
            "api_access": "on",
            "failed_attempts": "0",
            "new_memorable_word": "elephant",
            **inline_management("tokens", 0),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    owner = KashflowUser.objects.get(user=user)
    assert owner.memorable_word_length == 8 and "elephant" not in str(owner.memorable_word_digests)
    response = staff.post(
        reverse("admin:purchases_kashflowuser_changelist"),
        {"action": "issue_token", "_selected_action": [owner.pk]},
    )
    assert response.status_code == 200
    token = one_time_secrets(response)["SessionToken"]
    assert_kept_nowhere(staff, response, token)
    assert KashflowToken.objects.filter(owner=owner, kind="long_lived").count() == 1
    assert client.get("/v2/sessiontoken", HTTP_AUTHORIZATION=f"KfToken {token}").status_code == 200


def test_supplier_rename_is_copied_to_purchases(demo):
    purchase = purchase_create(
        PurchaseInput(
            supplier_code="08C",
            issued_date=dt.date(2030, 1, 1),
            due_date=dt.date(2030, 2, 1),
        )
    )
    supplier = Supplier.objects.get(code="08C")
    supplier.name = "Renamed"
    supplier.save()
    purchase.refresh_from_db()
    assert purchase.supplier_name == "Renamed"


def test_project_and_supplier_code_changes_are_copied_to_purchases(demo):
    from apps.purchases.models import Project

    purchase = purchase_create(
        PurchaseInput(
            supplier_code="08C", issued_date=dt.date(2030, 1, 1), due_date=dt.date(2030, 2, 1), project_number=2
        )
    )
    assert (purchase.supplier_code, purchase.project_number, purchase.project_name) == ("08C", 2, "Test5")
    project = Project.objects.get(number=2)
    project.name = "Warehouse"
    project.number = 22
    project.save()
    supplier = Supplier.objects.get(code="08C")
    supplier.code = "08D"
    supplier.save()
    purchase.refresh_from_db()
    assert (purchase.supplier_code, purchase.project_number, purchase.project_name) == ("08D", 22, "Warehouse")


def test_admin_delete_takes_received_stock_back(staff):
    from apps.purchases.models import Product

    product = Product.objects.get(code="Test121")
    start = product.quantity_in_stock
    purchase = purchase_create(
        PurchaseInput(
            supplier_code="08C",
            issued_date=dt.date(2030, 1, 1),
            due_date=dt.date(2030, 2, 1),
            lines=[
                LineInput(
                    description="x",
                    quantity=Decimal(4),
                    rate=Decimal(1),
                    nominal_code=5000,
                    product_code="Test121",
                    received=True,
                )
            ],
        )
    )
    product.refresh_from_db()
    assert product.quantity_in_stock == start + 4
    response = staff.post(reverse("admin:purchases_purchase_delete", args=[purchase.pk]), {"post": "yes"})
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.quantity_in_stock == start
    assert not Purchase.objects.filter(pk=purchase.pk).exists()


def test_demo_data_is_idempotent(db):
    from apps.purchases.demo import load_demo_data
    from apps.purchases.models import BankTransaction, NominalAccount, Product, Project

    load_demo_data()
    counts = [m.objects.count() for m in (Supplier, NominalAccount, Project, Product, Purchase, BankTransaction)]
    assert "already there" in load_demo_data()
    assert counts == [
        m.objects.count() for m in (Supplier, NominalAccount, Project, Product, Purchase, BankTransaction)
    ]
    assert Supplier.objects.filter(code="08C").exists()
    assert set(NominalAccount.objects.values_list("code", flat=True)) >= {5000, 7403}
    assert set(Project.objects.values_list("number", flat=True)) >= {1, 2}
    assert Product.objects.get(code="Test121").stock_managed
    assert BankAccount.objects.exists() and PaymentMethod.objects.exists()
