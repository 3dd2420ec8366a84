"""Retention: raw bodies are purged after their period (applied and rejected
imports separately), by beat's task and by a command; the job row stays."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from apps.core.importing.jobs import import_job_create, import_job_fail, import_job_succeed
from apps.core.models import ImportJob
from apps.core.tasks import purge_import_bodies


def _job(scope: str, *, status: str, age_days: int) -> ImportJob:
    job = import_job_create(
        kind="invoices",
        scope=scope,
        total=3,
        body_sha256="a" * 64,
        body_size=7,
        body_file=ContentFile(b"[1,2,3]", name="body.json"),
    )
    if status == "succeeded":
        import_job_succeed(job=job, counts={"added": 3, "removed": 0, "changed": 0, "rows": 3})
    else:
        import_job_fail(
            job_id=job.pk, message="bad", errors=[{"index": 0, "field": "x", "message": "m"}], error_count=1
        )
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=age_days))
    job.refresh_from_db()
    return job


def test_bodies_past_retention_are_purged_and_the_job_rows_stay(db, settings):
    settings.IMPORT_RETENTION_SUCCEEDED_DAYS = 90
    settings.IMPORT_RETENTION_FAILED_DAYS = 7
    old_applied = _job("2020", status="succeeded", age_days=91)
    young_applied = _job("2021", status="succeeded", age_days=30)
    old_rejected = _job("rejected", status="failed", age_days=8)
    young_rejected = _job("rejected", status="failed", age_days=6)
    storage = old_applied.raw_body.storage
    old_names = [old_applied.raw_body.name, old_rejected.raw_body.name]
    assert all(storage.exists(name) for name in old_names)

    assert purge_import_bodies() == {"succeeded": 1, "failed": 1, "tables": 0}

    for job in (old_applied, old_rejected):
        job.refresh_from_db()
        assert not job.raw_body and job.body_purged_at is not None
        assert job.body_sha256 == "a" * 64 and job.body_size == 7  # the record stays
    old_applied.refresh_from_db()
    old_rejected.refresh_from_db()
    assert old_applied.counts["added"] == 3 and old_rejected.error_count == 1 and old_rejected.errors
    assert not any(storage.exists(name) for name in old_names)
    for job in (young_applied, young_rejected):
        job.refresh_from_db()
        assert job.raw_body and job.body_purged_at is None
        with job.raw_body.open("rb") as body:
            assert body.read() == b"[1,2,3]"


def test_the_command_purges_and_drops_staged_tables_no_job_refers_to(db, settings):
    settings.IMPORT_RETENTION_FAILED_DAYS = 1
    _job("rejected", status="failed", age_days=2)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE invoices_invoice__stage_0123456789ab (id integer)")
        cursor.execute("CREATE TABLE invoices_invoice__stage_ba9876543210 (id integer)")
    ImportJob.objects.create(kind="invoices", scope="2030", stage_table="invoices_invoice__stage_ba9876543210")
    out = io.StringIO()
    call_command("purge_imports", stdout=out)
    assert out.getvalue().strip() == (
        "Purged 0 raw bodies of applied imports, 1 of rejected or failed ones, and 1 leftover staged tables."
    )
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
    assert "invoices_invoice__stage_0123456789ab" not in names
    assert "invoices_invoice__stage_ba9876543210" in names  # its job is still queued
