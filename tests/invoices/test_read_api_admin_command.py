"""The invoice read API, the admin pages and the import command."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.models import ImportJob
from apps.invoices.models import Invoice
from tests.invoices.conftest import DATA
from tests.invoices.factories import rows

LIST_URL = "/api/v1/invoices/"


@pytest.fixture
def two_years(post_report, sample_rows):
    post_report(sample_rows)
    post_report(rows(4, invoiceDate="20230601", payer="P-2023", billTo="B-2023", currency="USD", dueDate="20230701"))


def test_list_filters_by_year_and_payer(client_for_reads, two_years):
    response = client_for_reads.get(LIST_URL, {"year": 2023})
    assert response.status_code == 200
    assert response.json()["count"] == 4
    assert {row["payer"] for row in response.json()["results"]} == {"P-2023"}
    response = client_for_reads.get(LIST_URL, {"payer": "0017001420", "invoiceType": "S"})
    assert [row["invoiceId"] for row in response.json()["results"]] == ["0090012003"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"billTo": "0017001245"}, 3),
        ({"currency": "gbp"}, 1),
        ({"reverseMark": 1}, 1),
        ({"invoiceDate_after": "2024-03-20", "invoiceDate_before": "2024-12-31"}, 2),
        ({"dueDate_before": "2024-04-30"}, 6),
        ({"dueDate_after": "2024-04-16"}, 2),
    ],
)
def test_list_filters(client_for_reads, two_years, params, expected):
    response = client_for_reads.get(LIST_URL, params)
    assert response.status_code == 200
    assert response.json()["count"] == expected


def test_list_orders_and_paginates(client_for_reads, two_years):
    response = client_for_reads.get(LIST_URL, {"ordering": "-amount", "page_size": 2})
    body = response.json()
    assert body["count"] == 7 and len(body["results"]) == 2 and body["next"]
    assert body["results"][0]["amount"] == "1200.0000"


def test_amounts_are_exact_decimals_in_the_api(client_for_reads, post_report, sample_rows):
    post_report(sample_rows)
    row = client_for_reads.get(LIST_URL, {"currency": "GBP"}).json()["results"][0]
    assert row["taxAmount"] == "90.0800" and row["taxRate"] == "0.200000"


def test_list_query_count_does_not_grow_with_page_size(client_for_reads, post_report, django_assert_max_num_queries):
    post_report(rows(60))
    client_for_reads.get(LIST_URL)  # warm the token's last-used stamp
    with CaptureQueriesContext(connection) as small:
        client_for_reads.get(LIST_URL, {"page_size": 5})
    with CaptureQueriesContext(connection) as large:
        assert len(client_for_reads.get(LIST_URL, {"page_size": 60}).json()["results"]) == 60
    assert len(small) == len(large)
    with django_assert_max_num_queries(4):
        client_for_reads.get(LIST_URL, {"page_size": 60})


def test_anonymous_reads_are_refused(client, db):
    assert client.get(LIST_URL).status_code in (401, 403)


@pytest.fixture
def admin_client_with_data(admin_client, post_report, sample_rows):
    post_report(sample_rows)
    return admin_client


def test_admin_lists_invoices_read_only(admin_client_with_data):
    response = admin_client_with_data.get("/admin/invoices/invoice/", {"q": "0090012002"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "0090012002" in content and "0090012001" not in content
    assert "/admin/invoices/invoice/add/" not in content
    invoice = Invoice.objects.get(invoice_id="0090012002")
    change = admin_client_with_data.get(f"/admin/invoices/invoice/{invoice.pk}/change/")
    assert change.status_code == 200 and b'name="_save"' not in change.content


def _export(admin_client, file_format: str, query: str = ""):
    """The changelist's export button, with the list's filters in the address."""
    return admin_client.get(f"/admin/invoices/invoice/export/{file_format}/{query}")


def test_admin_exports_the_filtered_list_as_streamed_csv(admin_client_with_data):
    listing = admin_client_with_data.get("/admin/invoices/invoice/", {"invoice_type__exact": "M"})
    assert b"/admin/invoices/invoice/export/csv/?invoice_type__exact=M" in listing.content
    response = _export(admin_client_with_data, "csv", "?invoice_type__exact=M")
    assert response.status_code == 200
    assert response.streaming
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert sorted(row["Invoice number"] for row in table) == ["0090012001", "0090012002"]
    assert {row["Type"] for row in table} == {"invoice"}
    assert {row["Reversal"] for row in table} == {"not reversed"}


def test_admin_exports_xlsx_with_numbers_and_dates(admin_client_with_data):
    response = _export(admin_client_with_data, "xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    ids = sorted(row[header.index("Invoice number")] for row in rows)
    assert ids == ["0090012001", "0090012002", "0090012003"]
    first = rows[0]
    assert isinstance(first[header.index("Amount")], int | float)
    assert isinstance(first[header.index("Invoice date")], dt.datetime)


def test_admin_import_job_shows_progress_and_raw_body(admin_client_with_data):
    job = ImportJob.objects.get(kind="invoices")
    listing = admin_client_with_data.get("/admin/core/importjob/")
    assert b"<progress" in listing.content
    detail = admin_client_with_data.get(f"/admin/core/importjob/{job.pk}/change/")
    assert detail.status_code == 200
    download = f"/admin/core/importjob/{job.pk}/raw-body/"
    assert download.encode() in detail.content
    assert job.raw_body.url.encode() not in detail.content
    body = admin_client_with_data.get(download)
    assert body.status_code == 200
    assert b"".join(body.streaming_content) == job.raw_body.open("rb").read()


def test_import_command_imports_a_file_and_reports_counts(db, tmp_path, capsys):
    call_command("import_invoices", str(DATA / "invoice-report-2024.json"))
    assert Invoice.objects.filter(year=2024).count() == 3
    smaller = tmp_path / "two.json"
    smaller.write_text(json.dumps(json.loads((DATA / "invoice-report-2024.json").read_text())[:2]))
    call_command("import_invoices", str(smaller))
    out = capsys.readouterr().out
    assert "0 added, 1 removed, 0 changed" in out
    assert Invoice.objects.filter(year=2024).count() == 2


def test_import_command_rejects_an_invalid_file_and_changes_nothing(db, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text((DATA / "seed_mock_example.json").read_text())
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_invoices", str(bad))
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "An empty report needs ?year=YYYY (import_invoices --year YYYY) to say which year to empty. "),
        ('[{"orderId" "x"}]', "(row 0). Nothing was imported."),
    ],
)
def test_import_command_errors_read_as_sentences_in_the_commands_terms(db, tmp_path, text, message):
    path = tmp_path / "report.json"
    path.write_text(text)
    with pytest.raises(CommandError) as refused:
        call_command("import_invoices", str(path))
    assert message in str(refused.value)
    assert str(refused.value).endswith(". Nothing was imported.")


def test_demo_data_loads_two_years_through_the_pipeline_once(db):
    call_command("load_demo_data")
    call_command("load_demo_data")
    assert Invoice.objects.filter(year=2025).count() == 40
    assert Invoice.objects.filter(year=2026).count() == 40
    assert ImportJob.objects.filter(kind="invoices", status="succeeded").count() == 2


@pytest.mark.parametrize(
    "params", [{"year": "99999999999999999999"}, {"year": "abc"}, {"invoiceDate_after": "2024-99-01"}]
)
def test_bad_filter_values_are_400_not_500(client_for_reads, params):
    assert client_for_reads.get(LIST_URL, params).status_code == 400
