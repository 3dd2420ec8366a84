"""A whole worker SIGKILLed mid-apply: its heartbeat stops, the sweep frees the
scope within the configured window, the old year is intact, no staged or old
table is left behind, and a re-post succeeds."""

from __future__ import annotations

import io
import json
import time

import pytest
from django.db import connection

from apps.core.importing.pipeline import import_job_apply, import_report_submit
from apps.core.models import ImportJob
from apps.core.tasks import sweep_import_jobs
from apps.invoices.models import Invoice
from tests.invoices.conftest import REPORT_URL
from tests.invoices.factories import rows
from tests.worker import TableLock


def _wait_for(predicate, *, timeout: float, worker) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, worker.log()[-3000:]
        time.sleep(0.02)


def _leftover_tables() -> list[str]:
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
    return [name for name in names if "__stage_" in name or "__old_" in name]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempts", [1, 3], ids=["failed", "requeued"])
def test_a_worker_killed_whole_frees_the_scope_within_the_heartbeat_window(
    celery_worker_process, kdp, settings, attempts
):
    settings.IMPORT_STALE_AFTER_SECONDS = 3
    settings.IMPORT_MAX_ATTEMPTS = attempts
    old_body = rows(50, invoiceDate="20240301")
    submitted = import_report_submit(
        kind="invoices", body=io.BytesIO(json.dumps(old_body).encode()), params={}, body_sha256="", body_size=0,
        enqueue=False,
    )  # fmt: skip
    import_job_apply(job_id=submitted.job.pk)
    old_year = list(Invoice.objects.order_by("pk").values_list("pk", "invoice_id", "row_hash"))

    # A worker that beats every half second, killed whole while it builds the new year's indexes.
    celery_worker_process.stop()
    celery_worker_process.start(IMPORT_HEARTBEAT_SECONDS="0.5")
    # Held at the old year's partition, which the apply reads after the indexes.
    with TableLock(f"{Invoice._meta.db_table}_y2024"):
        response = kdp.post(REPORT_URL, rows(150_000, invoiceDate="20240701"))
        assert response.status_code == 200, response.content
        job = ImportJob.objects.get(public_id=response.json()["data"]["jobId"])
        _wait_for(
            lambda: ImportJob.objects.filter(pk=job.pk, status="running", progress_done__gt=0).exists(),
            timeout=90,
            worker=celery_worker_process,
        )
        celery_worker_process.kill()
    killed_at = time.monotonic()
    assert list(Invoice.objects.order_by("pk").values_list("pk", "invoice_id", "row_hash")) == old_year

    # While the heartbeat is fresh the sweep leaves the job alone; a re-post is still 409.
    assert sweep_import_jobs() == 0
    assert kdp.post(REPORT_URL, rows(3, invoiceDate="20240801")).status_code == 409

    # A new worker (the killed task is not redelivered: the broker's visibility
    # timeout is an hour); beat's sweep notices the silent heartbeat.
    celery_worker_process.start()
    _wait_for(lambda: time.monotonic() - killed_at > 3.5, timeout=10, worker=celery_worker_process)
    assert sweep_import_jobs() == 1
    assert time.monotonic() - killed_at < settings.IMPORT_STALE_AFTER_SECONDS + 60  # one beat period
    job.refresh_from_db()
    if attempts == 1:
        assert job.status == "failed" and "heartbeat" in job.message
        assert list(Invoice.objects.order_by("pk").values_list("pk", "invoice_id", "row_hash")) == old_year
    else:
        _wait_for(lambda: ImportJob.objects.get(pk=job.pk).status != "queued", timeout=30, worker=celery_worker_process)
        _wait_for(
            lambda: ImportJob.objects.get(pk=job.pk).status not in ("queued", "running"),
            timeout=120,
            worker=celery_worker_process,
        )
        job.refresh_from_db()
        assert job.status == "succeeded", job.message
        assert job.attempts == 2 and Invoice.objects.filter(year=2024).count() == 150_000
    # the old partition is dropped just after the commit
    _wait_for(lambda: _leftover_tables() == [], timeout=10, worker=celery_worker_process)

    # The scope is free: a re-post is applied by the worker.
    repost = rows(3, invoiceDate="20240801")
    response = kdp.post(REPORT_URL, repost)
    assert response.status_code == 200, response.content
    again = ImportJob.objects.get(public_id=response.json()["data"]["jobId"])
    _wait_for(
        lambda: ImportJob.objects.get(pk=again.pk).status == "succeeded", timeout=60, worker=celery_worker_process
    )
    assert set(Invoice.objects.filter(year=2024).values_list("invoice_id", flat=True)) == {
        row["invoiceId"] for row in repost
    }
    # the old partition is dropped just after the commit
    _wait_for(lambda: _leftover_tables() == [], timeout=10, worker=celery_worker_process)
