"""The KDP row formats (SAP invoices and AP open balance), table-driven: every
string at its column length passes and one over is refused, every amount at its
digit limit passes and one over is refused, dates at the edges of the plausible
window pass and one day outside is refused, and NUL, control characters, lone
surrogates and full-width digits are refused. A refusal is a 400 in the KDP
envelope naming the row and the field; nothing is stored, queued or staged."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection

from apps.ap_balance import services as ap_balance_services
from apps.ap_balance.models import SnapshotLine
from apps.core.bounds import field_bounds
from apps.core.models import ImportJob
from apps.invoices.models import Invoice
from tests.ap_balance.factories import rows as ap_rows
from tests.invoices.factories import rows as invoice_rows

INVOICES = "/inventory-server/api/invoice/report/info"
AP = "/inventory-server/api/invoice/report/ap/balance"

# DecimalField(max_digits=20, decimal_places=4): 9999999999999999.9999 on PostgreSQL;
# 99999999999.9999 on SQLite, which keeps 15 significant digits of a decimal.
MAX_AMOUNT = str(field_bounds(Invoice, "amount").largest_decimal())
ON_SQLITE = connection.vendor == "sqlite"

INVOICE_TEXT = {
    "orderId": "order_id",
    "sapOrderId": "sap_order_id",
    "invoiceId": "invoice_id",
    "distributionChannel": "distribution_channel",
    "deliveryNote": "delivery_note",
    "payer": "payer",
    "taxCode": "tax_code",
    "orderItem": "order_item",
    "reverseId": "reverse_id",
    "billTo": "bill_to",
}
AP_TEXT = {
    "companyCode": "company_code",
    "sapDealerCode": "sap_dealer_code",
    "invoinceId": "invoice_id",
    "invoicingReference": "invoicing_reference",
    "voucherNo": "voucher_no",
}


def _length(model: Any, column: str) -> int:
    return model._meta.get_field(column).max_length


def _raw(body: list[dict[str, Any]], numbers: dict[str, str]) -> bytes:
    """JSON with some values written as bare JSON numbers, digit for digit."""
    text = json.dumps(body)
    for marker, number in numbers.items():
        text = text.replace(f'"{marker}"', number)
    return text.encode()


def _cases(kind: str) -> list[tuple[str, str, Any, bool]]:
    """(kind, field, value, valid). Numbers as "#<digits>" are sent as bare JSON numbers."""
    model, text = (Invoice, INVOICE_TEXT) if kind == "invoices" else (SnapshotLine, AP_TEXT)
    cases: list[tuple[str, str, Any, bool]] = []
    for wire, column in text.items():
        length = _length(model, column)
        cases.append((kind, wire, "7" * length, True))
        cases.append((kind, wire, "7" * (length + 1), False))
        cases.append((kind, wire, "ab\x00c", False))
        cases.append((kind, wire, "ab\x07c", False))
    amounts = ["amount", "amountLC", "taxAmountLC"] if kind == "invoices" else ["openBalance", "clearAmount"]
    for wire in amounts:
        cases.append((kind, wire, f"#{MAX_AMOUNT}", True))
        cases.append((kind, wire, f"#-{MAX_AMOUNT}", True))
        cases.append((kind, wire, "#10000000000000000", False))
        cases.append((kind, wire, "#1.00001", False))
        # 20 significant digits: the column holds them, SQLite would read back another number.
        cases.append((kind, wire, "#1234567890123456.7891", not ON_SQLITE))
    string_amount = "taxAmount" if kind == "invoices" else "amountLC"
    cases.append((kind, string_amount, MAX_AMOUNT, True))
    cases.append((kind, string_amount, "10000000000000000", False))
    dates = ["dueDate", "createDate"] if kind == "invoices" else ["dueDate"]
    for wire in dates:
        cases.append((kind, wire, "19700101", True))
        cases.append((kind, wire, "2099-12-31", True))
        cases.append((kind, wire, "19691231", False))
        cases.append((kind, wire, "21000101", False))
        cases.append((kind, wire, "00010101", False))
        cases.append((kind, wire, "99991231", False))
        cases.append((kind, wire, "２０２４０３１５", False))
    if kind == "invoices":
        cases.append((kind, "invoiceDate", "1970-01-01", True))
        cases.append((kind, "invoiceDate", "2099-12-31", True))
        cases.append((kind, "invoiceDate", "0001-01-01", False))
        cases.append((kind, "invoiceDate", "9999-12-31", False))
        cases.append((kind, "taxRate", "#0.999999", True))
        cases.append((kind, "taxRate", "#0.9999999", False))
        cases.append((kind, "orderItems", [{"itemNo": "7" * 32}], True))
        cases.append((kind, "orderItems", [{"itemNo": "7" * 33}], False))
        cases.append((kind, "orderItems", [{"itemNo": "1\x00"}], False))
    else:
        cases.append((kind, "fiscalYear", "２０２４", False))
    return cases


def _stage_tables() -> list[str]:
    with connection.cursor() as cursor:
        return [name for name in connection.introspection.table_names(cursor) if "__stage_" in name]


def _post(kdp: Any, django_capture_on_commit_callbacks: Any, kind: str, field: str, value: Any, valid: bool) -> Any:
    body = invoice_rows(3) if kind == "invoices" else ap_rows(3)
    numbers = {}
    if isinstance(value, str) and value.startswith("#"):
        numbers["__number__"] = value[1:]
        value = "__number__"
    body[1][field] = value
    if kind == "invoices" and field == "invoiceDate" and valid:
        for row in body:
            row["invoiceDate"] = value  # one year per report
    with django_capture_on_commit_callbacks(execute=True):
        return kdp.post(INVOICES if kind == "invoices" else AP, None, raw=_raw(body, numbers))


@pytest.mark.parametrize(
    ("kind", "field", "value", "valid"), [*_cases("invoices"), *_cases("ap_balance")], ids=lambda v: str(v)[:24]
)
def test_each_field_is_bounded_by_what_its_column_and_readers_hold(
    kdp, django_capture_on_commit_callbacks, kind, field, value, valid
):
    model = Invoice if kind == "invoices" else SnapshotLine
    response = _post(kdp, django_capture_on_commit_callbacks, kind, field, value, valid)
    payload = response.json()
    if valid:
        assert response.status_code == 200, payload
        assert model.objects.count() == 3
        return
    assert response.status_code == 400, payload
    assert payload["code"] == 400 and payload["errorCount"] >= 1
    assert payload["errors"][0]["index"] == 1 and payload["errors"][0]["field"] == field, payload
    assert payload["errors"][0]["message"]
    assert not model.objects.exists()
    assert not ImportJob.objects.active().exists()  # nothing queued
    # The body is kept for audit as a failed job, under the scope it was for (the year).
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.raw_body
    assert job.scope == ("2024" if kind == "invoices" else ap_balance_services.SCOPE)
    assert _stage_tables() == []


def test_a_lone_surrogate_is_refused_and_nothing_is_stored(kdp, django_capture_on_commit_callbacks):
    body = json.dumps(invoice_rows(2)).replace('"payer": "0017001420"', '"payer": "\\udc00"', 1).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = kdp.post(INVOICES, None, raw=body)
    assert response.status_code == 400 and response.json()["code"] == 400
    assert not Invoice.objects.exists() and _stage_tables() == []


# PostgreSQL: SQLite keeps 15 significant digits of a decimal column, so the
# largest amount (20 digits) cannot be read back exactly there.
@pytest.mark.postgres
def test_boundary_values_are_stored_and_every_reader_shows_them(kdp, django_capture_on_commit_callbacks, admin_client):
    body = invoice_rows(1, invoiceDate="2099-12-31", dueDate="19700101", createDate="2099-12-31")
    for wire, column in INVOICE_TEXT.items():
        body[0][wire] = "Z" * _length(Invoice, column)
    body[0]["amount"] = "__max__"
    with django_capture_on_commit_callbacks(execute=True):
        response = kdp.post(INVOICES, None, raw=_raw(body, {"__max__": MAX_AMOUNT}))
    assert response.status_code == 200, response.content
    invoice = Invoice.objects.get()
    assert str(invoice.amount) == MAX_AMOUNT and invoice.year == 2099
    assert admin_client.get("/admin/invoices/invoice/").status_code == 200
    assert admin_client.get(f"/admin/invoices/invoice/{invoice.pk}/change/").status_code == 200
    api = admin_client.get("/api/v1/invoices/", {"year": 2099})
    assert api.status_code == 200 and api.json()["results"][0]["amount"] == MAX_AMOUNT
    assert admin_client.get(f"/api/v1/invoices/{invoice.pk}/").status_code == 200
