"""A real worker killed in the middle of replacing a year."""

from __future__ import annotations

import io
import json
import time

import pytest
from django.db import connection

from apps.core.importing.pipeline import import_job_apply, import_report_submit
from apps.core.models import ImportJob
from apps.invoices.models import Invoice
from tests.invoices.conftest import DATA, REPORT_URL
from tests.invoices.factories import rows
from tests.worker import TableLock


def _load_old_year() -> list[tuple[int, str, str]]:
    body = io.BytesIO((DATA / "invoice-report-2024.json").read_bytes())
    submitted = import_report_submit(kind="invoices", body=body, params={}, body_sha256="", body_size=0, enqueue=False)
    import_job_apply(job_id=submitted.job.pk)
    return list(Invoice.objects.order_by("pk").values_list("pk", "invoice_id", "row_hash"))


def _wait_for(predicate, *, timeout: float, worker) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, worker.log()[-3000:]
        time.sleep(0.02)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_leaves_the_old_year_and_a_retry_converges(celery_worker_process, kdp):
    old_year = _load_old_year()
    report = rows(150_000, invoiceDate="20240701")

    # The apply reads the old year's partition after building the new one's
    # indexes: held there, the worker is mid-apply (progress written) when killed.
    with TableLock(f"{Invoice._meta.db_table}_y2024"):
        response = kdp.post(REPORT_URL, report)
        assert response.status_code == 200, response.content
        job = ImportJob.objects.get(public_id=response.json()["data"]["jobId"])
        _wait_for(
            lambda: ImportJob.objects.filter(pk=job.pk, status="running", progress_done__gt=0).exists(),
            timeout=90,
            worker=celery_worker_process,
        )
        celery_worker_process.kill()

    job.refresh_from_db()
    assert job.status == "running" and 0 < job.progress_done < job.progress_total
    assert list(Invoice.objects.order_by("pk").values_list("pk", "invoice_id", "row_hash")) == old_year

    # A new worker picks the unacknowledged task up again (visibility timeout 1 s)
    # and applies the job from its staged rows, exactly once.
    time.sleep(1.5)
    celery_worker_process.start(CELERY_BROKER_VISIBILITY_TIMEOUT="1")
    _wait_for(lambda: ImportJob.objects.get(pk=job.pk).status != "running", timeout=90, worker=celery_worker_process)
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    assert job.attempts == 2
    old_ids = {invoice_id for _, invoice_id, _ in old_year}
    new_ids = {row["invoiceId"] for row in report}
    assert job.counts == {
        "added": len(new_ids - old_ids),
        "removed": len(old_ids - new_ids),
        "changed": len(old_ids & new_ids),  # same id, other content
        "rows": 150_000,
    }
    assert Invoice.objects.filter(year=2024).count() == 150_000
    assert set(Invoice.objects.values_list("invoice_id", flat=True)) == {row["invoiceId"] for row in report}
    assert json.loads(response.content)["data"]["rows"] == 150_000

    # Nothing of the killed attempt is left: no staged table, and the detached old
    # partition is dropped just after the commit.
    def leftovers() -> list[str]:
        with connection.cursor() as cursor:
            names = connection.introspection.table_names(cursor)
        return [name for name in names if "__stage_" in name or "__old_" in name]

    _wait_for(lambda: leftovers() == [], timeout=10, worker=celery_worker_process)
