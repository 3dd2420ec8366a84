"""Hostile input on the /v2 wire: every string at its column's length and one
over, numbers at their digit limit and one over (and one place too many),
dates at the edges of the range, control characters, line totals that would
overflow the computed columns. Over the limit: 400 naming the field, nothing
stored; at the limit: accepted (or refused for another, named reason)."""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from typing import Any

import pytest

from apps.core.bounds import field_bounds
from apps.purchases.kashflow.wire import MAX_INT
from apps.purchases.models import PaymentLine, Project, Purchase, PurchaseLine, Supplier, SupplierContact

pytestmark = pytest.mark.django_db


def largest(model: type, name: str) -> Decimal:
    return field_bounds(model, name).largest_decimal()


def one_over(model: type, name: str) -> Decimal:
    """One digit more before the point than the column holds (on any database)."""
    bounds = field_bounds(model, name)
    return Decimal(10) ** ((bounds.max_digits or 0) - (bounds.decimal_places or 0))


def too_precise(model: type, name: str) -> str:
    return "1." + "0" * (field_bounds(model, name).decimal_places or 0) + "1"


def length(model: type, name: str) -> int:
    return field_bounds(model, name).max_length or 0


def purchase_body(account_id: int) -> dict[str, Any]:
    return {
        "SupplierCode": "08C",
        "IssuedDate": "2030-01-10",
        "DueDate": "2030-02-10",
        "Currency": {"Code": "AUD", "ExchangeRate": 2},
        "LineItems": [{"Description": "thing", "Quantity": 1, "Rate": 10, "VATLevel": 20, "NominalCode": 5000}],
        "PaymentLines": [{"Date": "2030-01-11", "Amount": 1, "AccountId": account_id, "Method": None}],
    }


def set_path(body: dict[str, Any], path: str, value: Any) -> None:
    target: Any = body
    parts = re.findall(r"\[\d+\]|[A-Za-z0-9]+", path)
    for part in parts[:-1]:
        target = target[int(part[1:-1])] if part.startswith("[") else target[part]
    target[parts[-1]] = value


# (field path, value, accepted?) for POST /v2/purchases.
PURCHASE_CASES: list[tuple[str, Any, bool]] = [
    ("SupplierReference", "r" * length(Purchase, "supplier_reference"), True),
    ("SupplierReference", "r" * (length(Purchase, "supplier_reference") + 1), False),
    ("AdditionalFieldValue", "a" * length(Purchase, "additional_field_value"), True),
    ("AdditionalFieldValue", "a" * (length(Purchase, "additional_field_value") + 1), False),
    ("LineItems[0].Description", "d" * length(PurchaseLine, "description"), True),
    ("LineItems[0].Description", "d" * (length(PurchaseLine, "description") + 1), False),
    ("LineItems[0].Description", "nul\x00inside", False),
    ("LineItems[0].Description", "bell\x07", False),
    ("LineItems[0].TaxCode", "t" * length(PurchaseLine, "tax_code"), True),
    ("LineItems[0].TaxCode", "t" * (length(PurchaseLine, "tax_code") + 1), False),
    ("PaymentLines[0].Note", "n" * length(PaymentLine, "note"), True),
    ("PaymentLines[0].Note", "n" * (length(PaymentLine, "note") + 1), False),
    ("SupplierCode", "s" * (length(Supplier, "code") + 1), False),
    ("Currency.Code", "AUDX", False),
    ("LineItems[0].Quantity", largest(PurchaseLine, "quantity"), True),
    ("LineItems[0].Quantity", one_over(PurchaseLine, "quantity"), False),
    ("LineItems[0].Quantity", too_precise(PurchaseLine, "quantity"), False),
    ("LineItems[0].Rate", largest(PurchaseLine, "rate"), True),
    ("LineItems[0].Rate", one_over(PurchaseLine, "rate"), False),
    ("LineItems[0].Rate", too_precise(PurchaseLine, "rate"), False),
    ("LineItems[0].VATLevel", largest(PurchaseLine, "vat_level"), True),
    ("LineItems[0].VATLevel", one_over(PurchaseLine, "vat_level"), False),
    ("LineItems[0].VATAmount", one_over(PurchaseLine, "vat_amount"), False),
    ("LineItems[0].VATAmount", too_precise(PurchaseLine, "vat_amount"), False),
    ("LineItems[0].ImportDuty", largest(PurchaseLine, "import_duty"), True),
    ("LineItems[0].ImportDuty", one_over(PurchaseLine, "import_duty"), False),
    ("Currency.ExchangeRate", largest(Purchase, "exchange_rate"), True),
    ("Currency.ExchangeRate", one_over(Purchase, "exchange_rate"), False),
    ("Currency.ExchangeRate", too_precise(Purchase, "exchange_rate"), False),
    ("PaymentLines[0].Amount", largest(PaymentLine, "amount"), True),
    ("PaymentLines[0].Amount", one_over(PaymentLine, "amount"), False),
    ("LineItems[0].NominalCode", MAX_INT + 1, False),
    ("LineItems[0].ProjectNumber", MAX_INT + 1, False),
    ("ProjectNumber", MAX_INT + 1, False),
    ("IssuedDate", "0001-01-02", True),
    ("IssuedDate", "0001-01-01", False),
    ("IssuedDate", "9998-12-31", True),
    ("IssuedDate", "9999-01-01", False),
    ("DueDate", "9999-12-31 12:00:00", False),
    ("PaymentLines[0].Date", "9999-01-01", False),
    ("PaymentLines[0].Date", "0001-01-01", False),
]


@pytest.mark.parametrize(("path", "value", "accepted"), PURCHASE_CASES, ids=lambda v: str(v)[:30])
def test_purchase_fields_at_and_over_their_bounds(kf, account, path, value, accepted):
    body = purchase_body(account.pk)
    set_path(body, path, value)
    before = (Purchase.objects.count(), PurchaseLine.objects.count(), PaymentLine.objects.count())
    response = kf.post("/v2/purchases", body)
    if accepted:
        assert response.status_code == 201, response.content
        return
    assert response.status_code == 400, response.content
    assert response.json()["Error"] == "ValidationError"
    assert path in response.json()["Message"]
    assert (Purchase.objects.count(), PurchaseLine.objects.count(), PaymentLine.objects.count()) == before


def test_line_total_that_would_overflow_the_computed_columns_is_400_naming_the_line(kf, account):
    body = purchase_body(account.pk)
    body["LineItems"][0].update(Quantity=largest(PurchaseLine, "quantity"), Rate=largest(PurchaseLine, "rate"))
    response = kf.post("/v2/purchases", body)
    assert response.status_code == 400 and "LineItems[0].Quantity" in response.json()["Message"]
    many = purchase_body(account.pk)
    big = {"Description": "x", "Quantity": 1, "Rate": largest(PurchaseLine, "rate"), "NominalCode": 5000}
    many["LineItems"] = [dict(big) for _ in range(200)]
    response = kf.post("/v2/purchases", many)
    assert response.status_code == 400 and "LineItems" in response.json()["Message"]
    assert not Purchase.objects.exists()


def test_a_tiny_exchange_rate_whose_home_amount_would_overflow_is_400(kf, account):
    body = purchase_body(account.pk)
    body["Currency"]["ExchangeRate"] = Decimal("0.000001")
    body["LineItems"][0]["Rate"] = Decimal("1000000000000")
    response = kf.post("/v2/purchases", body)
    assert response.status_code == 400 and "Currency.ExchangeRate" in response.json()["Message"]
    assert not Purchase.objects.exists()


# (endpoint, base body, field path, value, accepted?) for the reference writes.
def _supplier(code: str) -> dict[str, Any]:
    return {"Code": code, "Name": "Bounded Ltd", "Address": {}, "Contacts": [{}], "BankAccount": {}}


REFERENCE_CASES: list[tuple[str, str, Any, bool]] = [
    ("/v2/suppliers", "Code", "c" * length(Supplier, "code"), True),
    ("/v2/suppliers", "Code", "c" * (length(Supplier, "code") + 1), False),
    ("/v2/suppliers", "Name", "n" * length(Supplier, "name"), True),
    ("/v2/suppliers", "Name", "n" * (length(Supplier, "name") + 1), False),
    ("/v2/suppliers", "VatNumber", "v" * (length(Supplier, "vat_number") + 1), False),
    ("/v2/suppliers", "Note", "n" * length(Supplier, "note"), True),
    ("/v2/suppliers", "Note", "n" * (length(Supplier, "note") + 1), False),
    ("/v2/suppliers", "Address.Line1", "l" * (length(Supplier, "address_line1") + 1), False),
    ("/v2/suppliers", "Address.PostCode", "p\x00", False),
    ("/v2/suppliers", "Contacts[0].Name", "c" * (length(SupplierContact, "name") + 1), False),
    ("/v2/suppliers", "BankAccount.SortCode", "1" * (length(Supplier, "bank_sort_code") + 1), False),
    ("/v2/suppliers", "WithholdingTaxRate", one_over(Supplier, "withholding_tax_rate"), False),
    ("/v2/projects", "Name", "n" * length(Project, "name"), True),
    ("/v2/projects", "Name", "n" * (length(Project, "name") + 1), False),
    ("/v2/projects", "Reference", "r" * (length(Project, "reference") + 1), False),
    ("/v2/projects", "Description", "d" * (length(Project, "description") + 1), False),
    ("/v2/projects", "TargetSalesAmount", one_over(Project, "target_sales_amount"), False),
    ("/v2/projects", "StartDate", "0001-01-01", False),
    ("/v2/projects", "Number", MAX_INT + 1, False),
]


@pytest.mark.parametrize(("endpoint", "path", "value", "accepted"), REFERENCE_CASES, ids=lambda v: str(v)[:30])
def test_reference_fields_at_and_over_their_bounds(kf, endpoint, path, value, accepted):
    body = copy.deepcopy(_supplier("BOUND1") if endpoint == "/v2/suppliers" else {"Name": "Roof"})
    set_path(body, path, value)
    before = (Supplier.objects.count(), SupplierContact.objects.count(), Project.objects.count())
    response = kf.post(endpoint, body)
    if accepted:
        assert response.status_code == 201, response.content
        return
    assert response.status_code == 400, response.content
    assert path in response.json()["Message"]
    assert (Supplier.objects.count(), SupplierContact.objects.count(), Project.objects.count()) == before
