"""PostgreSQL: a year is replaced by swapping its partition, and readers never
see a mix. These need real concurrency (threads on their own connections)."""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time

import pytest
from django.db import connection, connections

from apps.core.importing.pipeline import import_job_apply, import_report_submit
from apps.core.models import ImportJob
from apps.invoices.models import Invoice
from tests.invoices.factories import rows

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _import(body: list[dict]) -> ImportJob:
    raw = io.BytesIO(json.dumps(body).encode())
    submitted = import_report_submit(kind="invoices", body=raw, params={}, body_sha256="", body_size=0, enqueue=False)
    job = import_job_apply(job_id=submitted.job.pk)
    assert job is not None and job.status == "succeeded", job and job.message
    return job


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname LIKE 'invoices\\_invoice%%' AND relkind IN ('r', 'p') "
            "ORDER BY relname"
        )
        return [row[0] for row in cursor.fetchall()]


def test_each_replace_swaps_the_partition_and_leaves_no_other_table():
    # Partitions of other years that earlier transactional tests created stay
    # (a flush empties tables, it does not drop them): compare with what was there.
    before = set(_tables())
    _import(rows(5, invoiceDate="20230105"))
    first = _import(rows(30, invoiceDate="20240105"))
    second = _import(rows(20, invoiceDate="20240105"))
    assert second.counts == {"added": 20, "removed": 30, "changed": 0, "rows": 20}
    assert set(Invoice.objects.filter(year=2024).values_list("job_id", flat=True)) == {second.pk}
    assert Invoice.objects.filter(year=2023).count() == 5
    assert first.pk != second.pk
    assert set(_tables()) == before | {
        "invoices_invoice",
        "invoices_invoice_default",
        "invoices_invoice_y2023",
        "invoices_invoice_y2024",
    }
    # the new partition carries the parent's indexes (adopted by ATTACH, not rebuilt)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'invoices_invoice_y2024'")
        partition_indexes = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'invoices_invoice'")
        assert partition_indexes == cursor.fetchone()[0] == 5


def test_the_new_year_has_statistics_of_every_column_once_committed(monkeypatch):
    from apps.core.importing import partitions

    analyzed: list[str] = []  # the columns the apply analyzed before its own queries
    build = partitions.build_indexes_like_parent

    def spy(*args, **kwargs):
        analyzed.extend(kwargs.get("analyze", ()))
        return build(*args, **kwargs)

    monkeypatch.setattr(partitions, "build_indexes_like_parent", spy)
    _import(rows(40, invoiceDate="20240105"))
    assert analyzed == ["year", "invoice_id", "currency"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT attname FROM pg_stats WHERE tablename = 'invoices_invoice_y2024'")
        columns = {row[0] for row in cursor.fetchall()}
    assert {"year", "invoice_id", "currency", "payer", "bill_to", "invoice_date", "amount"} <= columns


def test_rows_written_outside_an_import_count_as_the_old_year():
    job = ImportJob.objects.create(kind="manual", scope="x", status="succeeded")
    template = rows(1)[0]
    Invoice.objects.create(  # lands in the DEFAULT partition (no partition for 2025 yet)
        job=job,
        year=2025,
        order_id="o",
        sap_order_id="s",
        invoice_id="MANUAL-1",
        amount=1,
        tax_amount=0,
        due_date="2025-02-01",
        distribution_channel="10",
        currency="EUR",
        payer="p",
        reverse_mark=0,
        create_date="2025-01-01",
        tax_rate=0,
        invoice_date="2025-01-01",
        invoice_type="M",
        amount_lc=1,
        currency_lc="EUR",
        tax_amount_lc=0,
        bill_to="b",
        row_hash="0" * 32,
    )
    assert template
    replaced = _import(rows(2, invoiceDate="20250301"))
    assert replaced.counts == {"added": 2, "removed": 1, "changed": 0, "rows": 2}
    assert not Invoice.objects.filter(invoice_id="MANUAL-1").exists()
    assert Invoice.objects.filter(year=2025).count() == 2


def test_a_reader_during_the_swaps_sees_the_old_or_the_new_year_never_both_or_none(settings):
    settings.IMPORT_SWAP_LOCK_TIMEOUT_MS = 100  # a long reader makes the swap retry
    sizes = [400, 250, 400, 250, 400]
    _import(rows(sizes[0], invoiceDate="20240105"))
    seen: list[tuple[int, int]] = []
    stop = threading.Event()
    failures: list[BaseException] = []

    def read() -> None:
        try:
            with connections["default"].cursor() as cursor:
                while not stop.is_set():
                    cursor.execute("SELECT count(*), count(DISTINCT job_id) FROM invoices_invoice WHERE year = 2024")
                    seen.append(cursor.fetchone())
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections["default"].close()

    def hold_a_long_read() -> None:
        # A report that reads the year for 1.5 s: the swap waits for it (lock_timeout, retries).
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute("SELECT count(*) FROM invoices_invoice WHERE year = 2024")
                time.sleep(1.5)
                cursor.execute("COMMIT")
        finally:
            connections["default"].close()

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    long_read = threading.Thread(target=hold_a_long_read)
    long_read.start()
    time.sleep(0.2)
    for size in sizes[1:]:
        _import(rows(size, invoiceDate="20240105"))
    long_read.join()
    time.sleep(0.2)
    stop.set()
    for reader in readers:
        reader.join()
    assert not failures, failures
    assert seen and set(seen) <= {(400, 1), (250, 1)}, set(seen)
    assert Invoice.objects.filter(year=2024).count() == 400


def test_two_years_applied_at_the_same_time_both_succeed(monkeypatch):
    """Each apply reads the parent table (change counts) before its swap takes the
    parent exclusively. Two imports of different years reading it at the same time
    used to deadlock (PostgreSQL failed one): applies now take the parent one at a
    time before reading it. The barrier holds each apply inside its change counts
    until the other arrives there too, or 2 s have passed."""
    from apps.invoices import services

    _import(rows(30, invoiceDate="20220105"))
    _import(rows(30, invoiceDate="20230105"))
    jobs = []
    for year, size in ((2022, 20), (2023, 25)):
        raw = io.BytesIO(json.dumps(rows(size, invoiceDate=f"{year}0105")).encode())
        jobs.append(
            import_report_submit(kind="invoices", body=raw, params={}, body_sha256="", body_size=0, enqueue=False).job
        )
    both_read = threading.Barrier(2)
    count_changes = services.count_changes

    def counted_together(**kwargs):
        counts = count_changes(**kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait(timeout=2)
        return counts

    monkeypatch.setattr(services, "count_changes", counted_together)
    applied: dict[int, ImportJob | None] = {}

    def apply(job_id: int) -> None:
        try:
            applied[job_id] = import_job_apply(job_id=job_id)
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=apply, args=(job.pk,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    results = {job.pk: (applied[job.pk].status, applied[job.pk].message) for job in jobs}
    assert results == {job.pk: ("succeeded", "") for job in jobs}
    assert applied[jobs[0].pk].counts == {"added": 20, "removed": 30, "changed": 0, "rows": 20}
    assert applied[jobs[1].pk].counts == {"added": 25, "removed": 30, "changed": 0, "rows": 25}
    assert Invoice.objects.filter(year=2022).count() == 20
    assert Invoice.objects.filter(year=2023).count() == 25
