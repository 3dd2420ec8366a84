"""Writes of import jobs: create (409 while one of the same scope is active),
start, heartbeat, succeed, fail, the stale-job sweep and retention."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from apps.core import messages
from apps.core.exceptions import ConflictError, ValidationFailed
from apps.core.message_text import render_stored, stored_error, stored_message
from apps.core.models import ApiClient, ImportJob

logger = logging.getLogger(__name__)

GAVE_UP = _("Gave up after {attempts} attempts.")


def import_job_create(
    *,
    kind: str,
    scope: str,
    total: int = 0,
    client: ApiClient | None = None,
    source: str = "",
    trace_id: str = "",
    body_sha256: str = "",
    body_size: int = 0,
    body_file: Any = None,
    stage_table: str = "",
) -> ImportJob:
    """Queue an import. Raises ConflictError when one of the same kind and scope is
    already queued or running (the database's partial unique index decides). The
    raw body goes through Django's storage API (local files or S3, see settings)."""
    job = ImportJob(
        kind=kind,
        scope=scope,
        progress_total=total,
        client=client,
        source=source,
        trace_id=trace_id,
        body_sha256=body_sha256,
        body_size=body_size,
        stage_table=stage_table,
    )
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:
        raise ConflictError(messages.IMPORT_RUNNING.format(kind=kind, scope=scope)) from None
    if body_file is not None:
        body_file.seek(0)
        job.raw_body.save("body.json", body_file, save=False)
        ImportJob.objects.filter(pk=job.pk).update(raw_body=job.raw_body.name)
    return job


def import_job_start(*, job_id: int) -> ImportJob | None:
    """Mark a queued job running, count the attempt and stamp its heartbeat. Returns
    None if the job is already finished (a re-delivered task must not apply it twice)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in ImportJob.ACTIVE_STATUSES:
            return None
        job.status = ImportJob.Status.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["status", "attempts", "started_at", "heartbeat_at"])
    return job


def import_job_succeed(*, job: ImportJob, counts: dict[str, Any]) -> None:
    """Must run inside the transaction that applied the import, so that the job
    reads succeeded exactly when the data is there."""
    job.status = ImportJob.Status.SUCCEEDED
    job.counts = counts
    job.progress_done = job.progress_total
    job.finished_at = timezone.now()
    job.stage_table = ""
    job.save(update_fields=["status", "counts", "progress_done", "finished_at", "stage_table"])


def import_job_fail(
    *, job_id: int, message: object, errors: list[dict[str, Any]] | None = None, error_count: int = 0
) -> None:
    """Mark the job failed. The message and the row errors are stored language-
    neutrally (code and parameters, see apps.core.message_text) besides their
    English text, and are shown in the reader's language."""
    stored = stored_message(message)
    with translation.override(settings.LANGUAGE_CODE):
        text = render_stored(stored)
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.FAILED,
        message=text[:5000],
        message_code=(stored["code"] or "")[:500],
        message_params=stored["params"],
        errors=[stored_error(error) for error in errors or []],
        error_count=error_count,
        finished_at=timezone.now(),
    )


def import_job_record_rejection(
    *,
    kind: str,
    error: ValidationFailed,
    body: Any,
    body_sha256: str,
    body_size: int,
    client: ApiClient | None = None,
    trace_id: str = "",
    source: str = "api",
) -> ImportJob:
    """Keep a rejected report for audit as a failed job; no business data changes."""
    job = import_job_create(
        kind=kind,
        scope=getattr(error, "scope", ""),
        client=client,
        source=source,
        trace_id=trace_id,
        body_sha256=body_sha256,
        body_size=body_size,
        body_file=body,
    )
    import_job_fail(job_id=job.pk, message=error.message, errors=error.errors, error_count=error.error_count)
    return job


class JobPulse:
    """While a job is applied: a thread that writes its heartbeat (and progress)
    every ``IMPORT_HEARTBEAT_SECONDS`` from a connection of its own, so both are
    visible while the apply's transaction is still open. A worker that dies whole
    stops the heartbeat, and the sweep notices within ``IMPORT_STALE_AFTER_SECONDS``.
    On SQLite (one writer at a time; tasks run eagerly) it only keeps the count."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.done = 0
        self._stop = threading.Event()
        self._moved = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> JobPulse:
        if connection.vendor == "postgresql":
            self._thread = threading.Thread(target=self._run, name=f"import-{self.job_id}-heartbeat", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._moved.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def progress(self, done: int) -> None:
        self.done = done
        self._moved.set()

    def _run(self) -> None:
        conn = connections.create_connection("default")
        table = ImportJob._meta.db_table
        try:
            while not self._stop.is_set():
                with conn.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {table} SET heartbeat_at = now(), "  # noqa: S608 - table name from the model
                        "progress_done = GREATEST(progress_done, LEAST(%s, progress_total)) "
                        "WHERE id = %s AND status = 'running'",
                        [self.done, self.job_id],
                    )
                # Next write: at the next heartbeat, or soon after progress moved
                # (at most twice a second).
                self._moved.wait(settings.IMPORT_HEARTBEAT_SECONDS)
                self._moved.clear()
                self._stop.wait(0.5)
        except Exception:  # a heartbeat must never break the import itself
            logger.exception("Heartbeat of import %s stopped", self.job_id)
        finally:
            conn.close()
