"""SAP's AP open-balance report through the real KDP endpoint: each report a snapshot."""

from __future__ import annotations

import json
import threading
import time
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from apps.ap_balance import services
from apps.ap_balance.models import Snapshot, SnapshotLine
from apps.core.importing.pipeline import import_job_apply
from apps.core.models import ImportJob
from tests.ap_balance.conftest import DATA, REPORT_URL
from tests.ap_balance.factories import ApBalanceRowFactory, rows


def current_ids() -> set[str]:
    return set(SnapshotLine.objects.filter(snapshot__is_current=True).values_list("invoice_id", flat=True))


def snapshot_of(response) -> int:
    """The snapshot an accepted report became (the task ran after the response)."""
    return ImportJob.objects.get(public_id=response.json()["data"]["jobId"]).counts["snapshot"]


def state() -> list[tuple]:
    snapshots = list(Snapshot.objects.order_by("pk").values_list("pk", "is_current", "row_count"))
    lines = list(SnapshotLine.objects.order_by("pk").values_list("pk", "snapshot_id", "row_hash"))
    return [snapshots, lines]


def test_sample_report_imports_as_the_current_snapshot(post_report, sample_raw, client_for_reads):
    response = post_report(None, raw=sample_raw)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["code"] == 0 and body["msg"] == "success"
    assert body["data"]["rows"] == 3 and body["data"]["status"] in {"queued", "succeeded"}
    snapshot = Snapshot.objects.get()
    assert snapshot_of(response) == snapshot.pk and snapshot.is_current
    assert snapshot.row_count == 3 and snapshot.trace_id
    assert snapshot.client is not None and snapshot.client.name == "SAP PP"
    assert snapshot.totals == {
        "EUR": {"rows": 2, "openBalance": "430.2500"},
        "USD": {"rows": 1, "openBalance": "1999.9900"},
    }
    assert current_ids() == {"WR-2024-0001", "WR-2024-0002", "WR-2023-0917"}
    cleared = SnapshotLine.objects.get(invoice_id="WR-2023-0917")
    assert cleared.company_code == "" and cleared.fiscal_year == "" and cleared.clearing_identification == "Y"
    assert cleared.clear_amount == Decimal("1999.99") and cleared.amount_lc == Decimal("1843.10")
    second = SnapshotLine.objects.get(invoice_id="WR-2024-0002")
    assert second.amount_lc == Decimal("80.25") and str(second.due_date) == "2024-06-30"
    assert second.clear_amount is None
    job = ImportJob.objects.get(public_id=body["data"]["jobId"])
    assert job.kind == "ap_balance" and job.status == "succeeded"
    assert job.counts == {"added": 3, "cleared": 0, "changed": 0, "rows": 3, "snapshot": snapshot.pk}
    with job.raw_body.open("rb") as stored:
        assert stored.read() == sample_raw


def test_a_second_report_replaces_the_current_snapshot_and_the_first_stays_readable(
    post_report, sample_rows, client_for_reads
):
    first = snapshot_of(post_report(sample_rows))
    changed = [dict(sample_rows[0], openBalance=300), *rows(2)]
    response = post_report(changed)
    second = snapshot_of(response)
    assert second != first
    assert Snapshot.objects.get(is_current=True).pk == second
    assert current_ids() == {"WR-2024-0001", changed[1]["invoinceId"], changed[2]["invoinceId"]}
    job = ImportJob.objects.get(public_id=response.json()["data"]["jobId"])
    assert job.counts == {"added": 2, "cleared": 2, "changed": 1, "rows": 3, "snapshot": second}
    old = client_for_reads.get("/api/v1/ap-balances/", {"snapshot": first}).json()
    assert old["count"] == 3
    assert {row["invoinceId"]: row["openBalance"] for row in old["results"]}["WR-2024-0001"] == "350.0000"
    snapshots = client_for_reads.get("/api/v1/ap-balances/snapshots/").json()["results"]
    assert [(s["id"], s["isCurrent"]) for s in snapshots] == [(second, True), (first, False)]


def test_invoice_id_alias_string_amounts_and_both_date_formats_are_accepted(post_report):
    body = rows(3)
    body[0]["invoiceId"] = body[0].pop("invoinceId")
    body[1]["amountLC"] = " 1234.5 "
    body[1]["dueDate"] = "2024-02-29"
    body[2]["currency"] = "usd"
    for optional in ("companyCode", "fiscalYear", "invoicingReference", "clearingIdentification", "clearAmount"):
        del body[2][optional]
    del body[2]["voucherNo"]
    body[2]["unknownField"] = {"ignored": True}
    response = post_report(body)
    assert response.status_code == 200, response.content
    alias = SnapshotLine.objects.get(invoice_id=body[0]["invoiceId"])
    assert alias.sap_dealer_code == "0017001245"
    string_amount = SnapshotLine.objects.get(invoice_id=body[1]["invoinceId"])
    assert string_amount.amount_lc == Decimal("1234.5") and str(string_amount.due_date) == "2024-02-29"
    bare = SnapshotLine.objects.get(invoice_id=body[2]["invoinceId"])
    assert bare.currency == "USD" and bare.clear_amount is None and bare.clearing_identification == ""


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("companyCode", 1000),
        ("sapDealerCode", ""),
        ("sapDealerCode", None),
        ("sapDealerCode", 17001245),
        ("invoinceId", "  "),
        ("invoinceId", None),
        ("openBalance", "100.00"),
        ("openBalance", True),
        ("openBalance", 1.23456),
        ("openBalance", 10**17),
        ("currency", "aliquip"),
        ("currency", "EURO"),
        ("currency", None),
        ("fiscalYear", "deserunt occaecat officia"),
        ("fiscalYear", "24"),
        ("fiscalYear", 2024),
        ("invoicingReference", 5),
        ("clearingIdentification", "39"),
        ("clearingIdentification", "n"),
        ("clearingIdentification", True),
        ("clearAmount", "ten"),
        ("clearAmount", 0.00001),
        ("amountLC", "abc"),
        ("amountLC", "1.00001"),
        ("amountLC", None),
        ("amountLC", [1]),
        ("voucherNo", 3100000001),
        ("currencyLC", "XXY"),
        ("currencyLC", None),
        ("dueDate", "2024-13-01"),
        ("dueDate", "20240230"),
        ("dueDate", "12.03.2024"),
        ("dueDate", 20240312),
        ("dueDate", None),
    ],
)
def test_each_invalid_field_is_rejected_with_index_and_field_and_nothing_changes(
    post_report, sample_rows, field, value
):
    post_report(sample_rows)
    before = state()
    body = rows(3)
    body[1][field] = value
    response = post_report(body)
    assert response.status_code == 400, response.content
    payload = response.json()
    assert payload["code"] == 400
    assert payload["msg"] == "The AP open-balance report is invalid: 1 error(s)."
    assert payload["errorCount"] == 1
    assert payload["errors"][0]["index"] == 1 and payload["errors"][0]["field"] == field
    assert payload["errors"][0]["message"]
    assert state() == before


def test_a_missing_required_field_is_named(post_report):
    body = rows(2)
    del body[1]["invoinceId"]
    del body[0]["dueDate"]
    response = post_report(body)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 0, "field": "dueDate", "message": "This field is required."},
        {"index": 1, "field": "invoinceId", "message": "This field is required."},
    ]


def test_the_same_line_twice_in_a_report_is_rejected(post_report):
    body = rows(3)
    body[2]["invoinceId"] = body[0]["invoinceId"]
    response = post_report(body)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["index"], error["field"]) == (2, "invoinceId") and body[0]["invoinceId"] in error["message"]
    assert not Snapshot.objects.exists()


def test_the_same_warranty_for_two_dealers_is_two_lines(post_report):
    body = rows(2)
    body[1]["invoinceId"] = body[0]["invoinceId"]
    body[1]["sapDealerCode"] = "0017009999"
    assert post_report(body).status_code == 200
    assert SnapshotLine.objects.filter(invoice_id=body[0]["invoinceId"]).count() == 2


def test_more_than_100_errors_lists_100_and_counts_all(post_report):
    payload = post_report(rows(150, currency="nope")).json()
    assert len(payload["errors"]) == 100 and payload["errorCount"] == 150


def test_the_seed_documents_mock_example_is_rejected(post_report):
    response = post_report(json.loads((DATA / "seed_mock_example.json").read_text()))
    assert response.status_code == 400
    payload = response.json()
    fields = {(e["index"], e["field"]) for e in payload["errors"]}
    assert {(0, "currency"), (0, "fiscalYear"), (2, "clearingIdentification"), (3, "currency")} <= fields
    assert not Snapshot.objects.exists()
    rejected = ImportJob.objects.get(kind="ap_balance", status="failed")
    assert rejected.error_count == payload["errorCount"] and rejected.raw_body


def test_a_body_that_is_not_an_array_is_400(post_report):
    response = post_report({"invoinceId": "1"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "The body must be a JSON array of objects."


def test_malformed_json_in_the_middle_is_400_and_changes_nothing(post_report, sample_rows):
    post_report(sample_rows)
    before = state()
    raw = json.dumps(rows(3)).encode()[:-40] + b"}}]"
    response = post_report(None, raw=raw)
    assert response.status_code == 400
    assert response.json()["msg"].startswith("The body is not valid JSON")
    assert state() == before


def test_an_empty_report_needs_allow_empty_and_changes_nothing_without_it(post_report, sample_rows):
    post_report(sample_rows)
    before = state()
    response = post_report([])
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == 400 and payload["errors"][0]["field"] == "allowEmpty"
    assert "allowEmpty=true" in payload["msg"]
    assert state() == before
    assert post_report([], query="?allowEmpty=maybe").status_code == 400
    assert post_report([], lang="zh").json()["msg"].startswith("报表为空")
    assert state() == before


def test_an_empty_report_is_a_snapshot_with_nothing_open(post_report, sample_rows):
    post_report(sample_rows)
    response = post_report([], query="?allowEmpty=true")
    assert response.status_code == 200
    current = Snapshot.objects.get(is_current=True)
    assert current.row_count == 0 and current.totals == {}
    assert Snapshot.objects.count() == 2 and SnapshotLine.objects.count() == 3


def test_a_failure_while_switching_keeps_the_previous_current_snapshot(post_report, sample_rows, monkeypatch):
    post_report(sample_rows)
    before = state()

    def explode(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "snapshot_totals", explode)
    response = post_report(rows(5))
    assert response.status_code == 200
    job = ImportJob.objects.get(public_id=response.json()["data"]["jobId"])
    assert job.status == "failed" and "disk on fire" in job.message
    assert state() == before
    assert current_ids() == {"WR-2024-0001", "WR-2024-0002", "WR-2023-0917"}


def test_a_constraint_violation_mid_apply_keeps_the_previous_current_snapshot(post_report, sample_rows, monkeypatch):
    post_report(sample_rows)
    before = state()
    real_apply = services.ApBalanceImporter.apply

    def apply_with_a_bad_row(self, *, job, stage, progress):
        # a staged row the database refuses when it lands (clearingIdentification X)
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {stage.name} DROP CONSTRAINT IF EXISTS ap_balance_line_clearing_n_y")
            cursor.execute(f"UPDATE {stage.name} SET clearing_identification = 'X' WHERE invoice_id = %s", [job_row])  # noqa: S608 - a table name of ours
        return real_apply(self, job=job, stage=stage, progress=progress)

    body = rows(4)
    job_row = body[0]["invoinceId"]
    monkeypatch.setattr(services.ApBalanceImporter, "apply", apply_with_a_bad_row)
    response = post_report(body)
    assert ImportJob.objects.get(public_id=response.json()["data"]["jobId"]).status == "failed"
    assert state() == before


def test_a_report_while_another_is_running_is_409(post_report, sample_rows):
    ImportJob.objects.create(kind="ap_balance", scope="current", status=ImportJob.Status.RUNNING)
    response = post_report(sample_rows)
    assert response.status_code == 409
    assert response.json() == {"code": 409, "msg": "An import of ap_balance current is already running."}
    assert not Snapshot.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_reports_one_wins_and_the_other_gets_409(sap_token, monkeypatch):
    from tests.conftest import KdpCaller

    real_apply = services.ApBalanceImporter.apply

    def slow_apply(self, **kwargs):
        time.sleep(0.5)  # keep the first import running while the second arrives
        return real_apply(self, **kwargs)

    monkeypatch.setattr(services.ApBalanceImporter, "apply", slow_apply)
    bodies = [rows(3, sapDealerCode="DEALER-A"), rows(4, sapDealerCode="DEALER-B")]
    results: dict[int, int] = {}
    barrier = threading.Barrier(2)

    def call(which: int) -> None:
        caller = KdpCaller(Client(), sap_token)
        barrier.wait()
        try:
            results[which] = caller.post(REPORT_URL, bodies[which]).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(which,)) for which in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [200, 409]
    winner = 0 if results[0] == 200 else 1
    current = Snapshot.objects.get(is_current=True)
    assert Snapshot.objects.count() == 1 and current.row_count == len(bodies[winner])
    assert set(current.lines.values_list("sap_dealer_code", flat=True)) == {bodies[winner][0]["sapDealerCode"]}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_only_one_snapshot_can_be_current(sap_client):
    from django.db import IntegrityError

    first, second = (ImportJob.objects.create(kind="x", scope=str(n), status="succeeded") for n in (1, 2))
    Snapshot.objects.create(job=first, received_at=first.created_at, is_current=True)
    with pytest.raises(IntegrityError):
        Snapshot.objects.create(job=second, received_at=second.created_at, is_current=True)


def test_trace_id_replay_does_not_import_twice(post_report, sample_rows):
    trace_id = str(uuid.uuid4())
    first = post_report(sample_rows, traceId=trace_id)
    second = post_report(sample_rows, traceId=trace_id)
    assert first.status_code == 200 and first.content == second.content
    assert second["Idempotent-Replayed"] == "true"
    assert ImportJob.objects.filter(kind="ap_balance").count() == 1
    assert Snapshot.objects.count() == 1


def test_trace_id_reused_with_another_body_is_409(post_report, sample_rows):
    trace_id = str(uuid.uuid4())
    post_report(sample_rows, traceId=trace_id)
    response = post_report(sample_rows[:1], traceId=trace_id)
    assert response.status_code == 409
    assert response.json()["msg"] == "This traceId was already used with a different request (body or query)."
    assert Snapshot.objects.count() == 1


def test_a_rejected_report_is_replayed_as_the_same_400(post_report):
    trace_id = str(uuid.uuid4())
    body = rows(1, currency="nope")
    first = post_report(body, traceId=trace_id)
    second = post_report(body, traceId=trace_id)
    assert first.status_code == second.status_code == 400 and first.content == second.content
    assert ImportJob.objects.filter(kind="ap_balance").count() == 1


def test_a_redelivered_task_does_not_apply_the_job_twice(post_report, sample_rows):
    response = post_report(sample_rows)
    job = ImportJob.objects.get(public_id=response.json()["data"]["jobId"])
    assert import_job_apply(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.status == "succeeded" and job.attempts == 1
    assert Snapshot.objects.count() == 1 and SnapshotLine.objects.count() == 3


def test_a_wrong_token_is_401_in_the_envelope(post_report, sample_rows):
    response = post_report(sample_rows, token="nope")
    assert response.status_code == 401 and response.json()["code"] == 401
    assert not Snapshot.objects.exists()


def test_factory_rows_are_valid(post_report):
    assert post_report([ApBalanceRowFactory()]).status_code == 200


def test_lang_zh_answers_in_chinese(post_report):
    body = rows(2)
    body[0]["fiscalYear"] = "24"
    payload = post_report(body, lang="zh").json()
    assert payload["msg"] == "AP open balance 上报数据无效：1 个错误。"
    assert payload["errors"][0]["message"] == "必须是四位数的年份。"
