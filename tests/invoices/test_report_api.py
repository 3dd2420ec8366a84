"""SAP's yearly invoice report through the real KDP endpoint."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from apps.core.importing.pipeline import import_job_apply
from apps.core.models import ImportJob
from apps.invoices import services
from apps.invoices.models import Invoice
from tests.invoices.conftest import DATA
from tests.invoices.factories import InvoiceRowFactory, rows


def invoice_ids(year: int) -> set[str]:
    return set(Invoice.objects.filter(year=year).values_list("invoice_id", flat=True))


def test_sample_report_imports(post_report, sample_rows, client_for_reads):
    response = post_report(sample_rows)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["code"] == 0 and body["msg"] == "success"
    assert body["data"]["year"] == 2024 and body["data"]["rows"] == 3
    assert body["data"]["status"] in {"queued", "succeeded"}
    assert invoice_ids(2024) == {"0090012001", "0090012002", "0090012003"}
    first = Invoice.objects.get(invoice_id="0090012002")
    assert first.amount == Decimal("540.50") and first.tax_amount == Decimal("90.08")
    assert first.amount_lc == Decimal("632.39") and first.tax_rate == Decimal("0.2")
    assert str(first.due_date) == "2024-05-02" and first.order_items == [{"itemNo": "000010"}]
    job = ImportJob.objects.get(public_id=body["data"]["jobId"])
    assert job.status == "succeeded"
    assert job.counts == {"added": 3, "removed": 0, "changed": 0, "rows": 3}
    detail = client_for_reads.get(f"/api/v1/imports/{job.public_id}/")
    assert detail.status_code == 200
    assert detail.json()["status"] == "succeeded" and detail.json()["progress_percent"] == 100


def test_raw_body_is_kept_verbatim(post_report, kdp):
    raw = (DATA / "invoice-report-2024.json").read_bytes()
    response = post_report(None, raw=raw)
    job = ImportJob.objects.get(public_id=response.json()["data"]["jobId"])
    with job.raw_body.open("rb") as stored:
        assert stored.read() == raw
    assert job.body_size == len(raw)


def test_second_import_with_one_row_less_removes_exactly_that_row(post_report, sample_rows):
    post_report(sample_rows)
    untouched = Invoice.objects.get(invoice_id="0090012001").pk
    response = post_report(sample_rows[:2])
    assert response.status_code == 200
    assert invoice_ids(2024) == {"0090012001", "0090012002"}
    job = ImportJob.objects.get(public_id=response.json()["data"]["jobId"])
    assert job.counts == {"added": 0, "removed": 1, "changed": 0, "rows": 2}
    assert Invoice.objects.get(invoice_id="0090012001").pk != untouched  # replaced, same content


def test_changed_rows_are_counted(post_report, sample_rows):
    post_report(sample_rows)
    sample_rows[0]["amount"] = 1300.00
    sample_rows.append(InvoiceRowFactory(invoiceDate="20240601"))
    response = post_report(sample_rows)
    job = ImportJob.objects.get(public_id=response.json()["data"]["jobId"])
    assert job.counts == {"added": 1, "removed": 0, "changed": 1, "rows": 4}
    assert Invoice.objects.get(invoice_id="0090012001").amount == Decimal("1300")


def test_another_year_stays_untouched(post_report, sample_rows):
    post_report(rows(2, invoiceDate="20230105"))
    before = list(Invoice.objects.filter(year=2023).values_list("pk", "invoice_id", "amount"))
    post_report(sample_rows)
    post_report(sample_rows[:1])
    assert list(Invoice.objects.filter(year=2023).values_list("pk", "invoice_id", "amount")) == before
    assert invoice_ids(2024) == {"0090012001"}


def test_empty_report_needs_a_year(post_report, sample_rows):
    post_report(sample_rows)
    response = post_report([])
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "year"
    assert Invoice.objects.count() == 3


def test_empty_report_with_year_empties_that_year(post_report, sample_rows):
    post_report(sample_rows)
    response = post_report([], query="?year=2024")
    assert response.status_code == 200
    assert response.json()["data"] == {**response.json()["data"], "year": 2024, "rows": 0}
    assert not Invoice.objects.filter(year=2024).exists()


def test_rows_of_another_year_than_the_query_are_rejected(post_report, sample_rows):
    response = post_report(sample_rows, query="?year=2023")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"invoiceDate"}
    assert not Invoice.objects.exists()
    # The failed job keeps the year it was for, so it is found by that year.
    assert ImportJob.objects.get(kind="invoices", status="failed").scope == "2023"


def test_a_report_spanning_years_is_rejected_with_the_years_named(post_report, sample_rows):
    body = [*sample_rows, InvoiceRowFactory(invoiceDate="20231231")]
    response = post_report(body)
    assert response.status_code == 400
    payload = response.json()
    assert "2023, 2024" in payload["msg"]
    assert payload["errors"] == [{"index": 3, "field": "invoiceDate", "message": payload["msg"]}]
    assert not Invoice.objects.exists()
    assert ImportJob.objects.get(kind="invoices", status="failed").scope == "2023-2024"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("orderId", ""),
        ("orderId", 17),
        ("sapOrderId", None),
        ("invoiceId", "   "),
        ("amount", "1200.00"),
        ("amount", True),
        ("amount", "1.23456"),
        ("taxAmount", "abc"),
        ("taxAmount", "1.00001"),
        ("dueDate", "2024-13-01"),
        ("dueDate", "15.04.2024"),
        ("dueDate", 20240415),
        ("distributionChannel", ""),
        ("deliveryNote", 5),
        ("currency", "aliquip"),
        ("currency", "EURO"),
        ("payer", ""),
        ("reverseMark", 2),
        ("reverseMark", "0"),
        ("reverseMark", True),
        ("createDate", "20240230"),
        ("taxRate", 1),
        ("taxRate", -0.1),
        ("taxRate", 20),
        ("taxCode", None),
        ("invoiceDate", "2024/03/15"),
        ("orderItem", ["000010"]),
        ("reverseId", None),
        ("invoiceType", "X"),
        ("amountLC", "12"),
        ("currencyLC", "XXY"),
        ("taxAmountLC", 10**17),
        ("orderItems", "000010"),
        ("orderItems", [{"item": "000010"}]),
        ("billTo", ""),
    ],
)
def test_each_invalid_field_is_rejected_with_index_and_field_and_nothing_changes(
    post_report, sample_rows, field, value
):
    post_report(sample_rows)
    before = list(Invoice.objects.order_by("pk").values_list("pk", "row_hash"))
    body = rows(3)
    body[1][field] = value
    response = post_report(body)
    assert response.status_code == 400, response.content
    payload = response.json()
    assert payload["code"] == 400
    assert payload["errorCount"] == 1
    assert payload["errors"][0]["index"] == 1 and payload["errors"][0]["field"] == field
    assert payload["errors"][0]["message"]
    assert list(Invoice.objects.order_by("pk").values_list("pk", "row_hash")) == before


def test_a_missing_field_is_required(post_report):
    body = rows(2)
    del body[0]["payer"]
    response = post_report(body)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"index": 0, "field": "payer", "message": "This field is required."}]


def test_duplicate_invoice_id_in_the_request_is_rejected(post_report):
    body = rows(3)
    body[2]["invoiceId"] = body[0]["invoiceId"]
    response = post_report(body)
    assert response.status_code == 400
    assert response.json()["errors"][0] | {"message": ""} == {"index": 2, "field": "invoiceId", "message": ""}
    assert not Invoice.objects.exists()


def test_more_than_100_errors_lists_100_and_counts_all(post_report):
    response = post_report(rows(150, currency="nope"))
    payload = response.json()
    assert response.status_code == 400
    assert len(payload["errors"]) == 100 and payload["errorCount"] == 150


def test_the_seed_documents_mock_example_is_rejected(post_report):
    response = post_report(json.loads((DATA / "seed_mock_example.json").read_text()))
    assert response.status_code == 400
    payload = response.json()
    fields = {(e["index"], e["field"]) for e in payload["errors"]}
    assert {(0, "currency"), (0, "reverseMark"), (0, "taxRate"), (1, "currency")} <= fields
    assert not Invoice.objects.exists()
    rejected = ImportJob.objects.get(kind="invoices", status="failed")
    assert rejected.error_count == payload["errorCount"] and rejected.raw_body


def test_a_body_that_is_not_an_array_is_400(post_report):
    response = post_report({"invoiceId": "1"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "The body must be a JSON array of objects."


def test_malformed_json_in_the_middle_is_400_and_changes_nothing(post_report, sample_rows):
    post_report(sample_rows)
    raw = json.dumps(rows(3)).encode()[:-40] + b"}}]"
    response = post_report(None, raw=raw)
    assert response.status_code == 400
    assert response.json()["msg"].startswith("The body is not valid JSON")
    assert invoice_ids(2024) == {"0090012001", "0090012002", "0090012003"}


def test_a_failure_mid_replace_leaves_the_old_year_intact(post_report, sample_rows, monkeypatch):
    post_report(sample_rows)
    before = list(Invoice.objects.order_by("pk").values_list("pk", "invoice_id", "row_hash"))

    def explode(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "count_changes", explode)
    response = post_report(rows(5))
    assert response.status_code == 200
    job = ImportJob.objects.get(public_id=response.json()["data"]["jobId"])
    assert job.status == "failed" and "disk on fire" in job.message
    assert list(Invoice.objects.order_by("pk").values_list("pk", "invoice_id", "row_hash")) == before


def test_a_constraint_violation_mid_apply_leaves_the_old_year_intact(post_report, sample_rows, monkeypatch):
    post_report(sample_rows)
    before = sorted(invoice_ids(2024))
    real_apply = services.InvoiceImporter.apply

    def apply_with_a_bad_row(self, *, job, stage, progress):
        # a staged row the database refuses when it lands (reverse_mark 7)
        with connection.cursor() as cursor:
            for name in ("invoices_reverse_mark_0_1", "invoices_invoice_reverse_mark_check"):
                cursor.execute(f"ALTER TABLE {stage.name} DROP CONSTRAINT IF EXISTS {name}")
            cursor.execute(f"UPDATE {stage.name} SET reverse_mark = 7 WHERE invoice_id = %s", [bad_id])  # noqa: S608 - a table name of ours
        return real_apply(self, job=job, stage=stage, progress=progress)

    body = rows(4)
    bad_id = body[0]["invoiceId"]
    monkeypatch.setattr(services.InvoiceImporter, "apply", apply_with_a_bad_row)
    response = post_report(body)
    assert ImportJob.objects.get(public_id=response.json()["data"]["jobId"]).status == "failed"
    assert sorted(invoice_ids(2024)) == before


def test_import_of_a_year_with_one_running_is_409(post_report, sample_rows):
    ImportJob.objects.create(kind="invoices", scope="2024", status=ImportJob.Status.RUNNING)
    response = post_report(sample_rows)
    assert response.status_code == 409
    assert response.json() == {"code": 409, "msg": "An import of invoices 2024 is already running."}
    assert not Invoice.objects.exists()


def test_trace_id_replay_does_not_run_the_import_twice(post_report, sample_rows):
    trace_id = str(uuid.uuid4())
    first = post_report(sample_rows, traceId=trace_id)
    second = post_report(sample_rows, traceId=trace_id)
    assert first.content == second.content
    assert ImportJob.objects.filter(kind="invoices").count() == 1
    assert Invoice.objects.count() == 3


def test_a_redelivered_task_does_not_apply_the_job_twice(post_report, sample_rows):
    response = post_report(sample_rows)
    job = ImportJob.objects.get(public_id=response.json()["data"]["jobId"])
    assert import_job_apply(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.status == "succeeded" and job.attempts == 1
    assert Invoice.objects.count() == 3


def test_fiscal_year_start_month_moves_the_year(post_report, settings):
    settings.FISCAL_YEAR_START_MONTH = 4
    response = post_report(rows(1, invoiceDate="20240315") + rows(1, invoiceDate="20230415"))
    assert response.status_code == 200, response.content
    assert response.json()["data"]["year"] == 2023
