"""No export runs what it exports: a text cell starting with = + - @ tab or
carriage return is neutralised in every CSV (a leading apostrophe) and is a
string cell, never a formula, in every XLSX; the text itself survives."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from datetime import timedelta
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.contrib.admin import helpers
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from apps.ap_balance.admin import LINE_EXPORT_COLUMNS
from apps.ap_balance.models import Snapshot, SnapshotLine
from apps.core.exports.cells import csv_row_formatter, headers
from apps.core.exports.files import csv_rows, raw_rows
from apps.core.exports.writers import csv_chunks
from apps.core.models import ExportFile
from apps.core.tasks import purge_export_files
from apps.invoices.admin import INVOICE_EXPORT_COLUMNS
from apps.invoices.models import Invoice
from apps.purchases.demo import load_demo_data
from apps.purchases.models import Purchase, Supplier
from apps.purchases.services import LineInput, PurchaseInput, purchase_create
from apps.reconciliation.services import Trigger, statement_match
from tests.core.factories import ImportJobFactory, UserFactory
from tests.core.test_api_listing import _invoice, _line
from tests.reconciliation.factories import StatementLineFactory, statement_with_lines
from tests.reconciliation.matching_fixtures import COMPANY_TAX_ID, SUPPLIER_TAX_ID, make_supplier

pytestmark = pytest.mark.django_db

PAYLOADS = ["=1+1", "+1+1", "-1+1", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]
PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _csv_cells(content: bytes) -> list[str]:
    assert content.startswith(b"\xef\xbb\xbf"), "CSV without a BOM"
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")) for cell in row]


def assert_csv_neutralised(content: bytes) -> None:
    cells = _csv_cells(content)
    texts = [cell for cell in cells if cell.startswith(PREFIXES)]
    # Signed numbers are numbers, not text: only those may start with + or -.
    assert all(_is_number(cell) for cell in texts), texts
    assert {"'" + payload for payload in PAYLOADS} <= set(cells)


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def assert_xlsx_neutralised(content: bytes) -> None:
    book = openpyxl.load_workbook(io.BytesIO(content))
    values = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                values.add(cell.value)
    # Without lxml, XML reads a bare carriage return back as a line feed.
    assert all(payload in values or payload.replace("\r", "\n") in values for payload in PAYLOADS)


def _body(response: Any) -> bytes:
    assert response.status_code == 200, getattr(response, "content", b"")[:300]
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def staff(client):
    user = UserFactory(username="finance", is_staff=True, groups=["Finance staff"])
    client.force_login(user)
    return client


def test_invoice_exports(staff, settings, django_capture_on_commit_callbacks):
    job = ImportJobFactory(kind="invoice-year", scope="2023")
    Invoice.objects.bulk_create(_invoice(job, 2023, n, f"I{n}") for n in range(len(PAYLOADS)))
    for invoice, payload in zip(Invoice.objects.order_by("pk"), PAYLOADS, strict=True):
        Invoice.objects.filter(pk=invoice.pk).update(payer=payload)
    base = "/admin/invoices/invoice/export"
    assert_csv_neutralised(_body(staff.get(f"{base}/csv/")))
    assert_xlsx_neutralised(_body(staff.get(f"{base}/xlsx/")))
    settings.EXPORT_SYNC_XLSX_ROWS = 1  # the background file, built by the (eager) task
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.get(f"{base}/xlsx/", {"year__exact": "2023"})
    export = ExportFile.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/admin/core/exportfile/{export.pk}/change/")
    assert export.status == ExportFile.Status.SUCCEEDED and export.progress_total == len(PAYLOADS)
    page = staff.get(response["Location"])
    assert b"/download/" in page.content
    download = staff.get(f"/admin/core/exportfile/{export.pk}/download/")
    assert_xlsx_neutralised(_body(download))


def _ap_lines() -> Snapshot:
    snapshot = Snapshot.objects.create(
        job=ImportJobFactory(kind="ap-balance", scope="ap"), received_at=dt.datetime(2024, 6, 1, tzinfo=dt.UTC),
        is_current=True,
    )  # fmt: skip
    SnapshotLine.objects.bulk_create(_line(snapshot, n) for n in range(len(PAYLOADS)))
    for line, payload in zip(SnapshotLine.objects.order_by("pk"), PAYLOADS, strict=True):
        SnapshotLine.objects.filter(pk=line.pk).update(sap_dealer_code=payload)
    return snapshot


def test_ap_line_ageing_and_snapshot_exports(staff):
    snapshot = _ap_lines()
    assert_csv_neutralised(_body(staff.get("/admin/ap_balance/snapshotline/export/csv/")))
    assert_xlsx_neutralised(_body(staff.get("/admin/ap_balance/snapshotline/export/xlsx/")))
    ageing = "/admin/ap_balance/snapshot/ageing/"
    assert_csv_neutralised(_body(staff.get(ageing, {"snapshot": snapshot.pk, "export": "csv"})))
    assert_xlsx_neutralised(_body(staff.get(ageing, {"snapshot": snapshot.pk, "export": "xlsx"})))
    Snapshot.objects.filter(pk=snapshot.pk).update(trace_id=PAYLOADS[0])
    url = reverse("admin:ap_balance_snapshot_export")
    assert "'" + PAYLOADS[0] in _csv_cells(_import_export(staff, url, "0"))
    book = openpyxl.load_workbook(io.BytesIO(_import_export(staff, url, "1")))
    assert all(cell.data_type != "f" for row in book.active.iter_rows() for cell in row)


def test_statement_and_match_exports(staff, settings):
    settings.COMPANY_TAX_ID = COMPANY_TAX_ID
    make_supplier()
    statement = statement_with_lines(
        0,
        supplier_name=PAYLOADS[0],
        supplier_tax_id=SUPPLIER_TAX_ID,
        start_time=dt.datetime(2019, 5, 1, tzinfo=dt.UTC),
        end_time=dt.datetime(2019, 5, 31, tzinfo=dt.UTC),
    )
    for position, payload in enumerate(PAYLOADS):
        StatementLineFactory(statement=statement, position=position, item_no=f"{position}", item_name=payload)
    changelist = reverse("admin:reconciliation_reconciliationstatement_changelist")
    for action, check in (("export_csv", assert_csv_neutralised), ("export_xlsx", assert_xlsx_neutralised)):
        check(_body(staff.post(changelist, {"action": action, helpers.ACTION_CHECKBOX_NAME: [statement.pk]})))
    for fmt, check in (("csv", assert_csv_neutralised), ("xlsx", assert_xlsx_neutralised)):
        url = reverse("admin:reconciliation_reconciliationstatement_export", args=[statement.pk, fmt])
        check(_body(staff.get(url)))
    statement_match(statement=statement, trigger=Trigger.ADMIN)
    for fmt, check in (("csv", assert_csv_neutralised), ("xlsx", assert_xlsx_neutralised)):
        url = reverse("admin:reconciliation_reconciliationstatement_match_export", args=[statement.pk, fmt])
        check(_body(staff.get(url)))


def test_purchase_and_supplier_exports(staff):
    load_demo_data()
    Purchase.objects.all().delete()
    for payload in PAYLOADS:
        purchase_create(
            PurchaseInput(
                supplier_code="08C",
                issued_date=dt.date(2030, 1, 1),
                due_date=dt.date(2030, 2, 1),
                supplier_reference=payload,
                lines=[LineInput(description="x", quantity=Decimal(1), rate=Decimal(5), nominal_code=5000)],
            )
        )
    url = reverse("admin:purchases_purchase_export")
    assert_csv_neutralised(_import_export(staff, url, "0"))
    assert_xlsx_neutralised(_import_export(staff, url, "1"))
    Supplier.objects.update(name=PAYLOADS[0])
    url = reverse("admin:purchases_supplier_export")
    cells = _csv_cells(_import_export(staff, url, "0"))
    assert "'" + PAYLOADS[0] in cells and PAYLOADS[0] not in cells
    book = openpyxl.load_workbook(io.BytesIO(_import_export(staff, url, "1")))
    assert PAYLOADS[0] in {cell.value for row in book.active.iter_rows() for cell in row}
    assert all(cell.data_type != "f" for row in book.active.iter_rows() for cell in row)


def _import_export(client: Any, url: str, file_format: str) -> bytes:
    """django-import-export's export form, every column ticked."""
    form = client.get(url).context["form"]
    data = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    return _body(client.post(url, {**data, "format": file_format, "resource": "0"}))


def test_export_files_past_their_retention_are_deleted_with_their_file(settings):
    settings.EXPORT_FILE_RETENTION_DAYS = 7
    old = ExportFile.objects.create(model_label="invoices.Invoice", title="old")
    old.file.save("old.xlsx", ContentFile(b"x"))
    recent = ExportFile.objects.create(model_label="invoices.Invoice", title="recent")
    ExportFile.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    path = old.file.path
    assert purge_export_files() == 1
    assert list(ExportFile.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not os.path.exists(path)


def test_the_database_makes_the_same_csv_cells_as_python(settings):
    """On PostgreSQL the CSV cells are made in SQL (apps.core.exports.sql_text);
    they must be the cells Python makes (on SQLite both paths are Python's)."""
    job = ImportJobFactory(kind="invoice-year", scope="2023")
    Invoice.objects.bulk_create(_invoice(job, 2023, n, f"I{n}") for n in range(len(PAYLOADS)))
    for invoice, payload in zip(Invoice.objects.order_by("pk"), PAYLOADS, strict=True):
        Invoice.objects.filter(pk=invoice.pk).update(payer=payload, reverse_mark=invoice.pk % 2)
    _ap_lines()
    for queryset, columns in (
        (Invoice.objects.order_by("pk"), INVOICE_EXPORT_COLUMNS),
        (SnapshotLine.objects.order_by("pk"), LINE_EXPORT_COLUMNS),
    ):
        rows, formatter = csv_rows(queryset, columns)
        made = b"".join(csv_chunks(headers(columns), rows, formatter))
        by_python = b"".join(csv_chunks(headers(columns), raw_rows(queryset, columns), csv_row_formatter(columns)))
        assert made == by_python
        assert_csv_neutralised(made)
