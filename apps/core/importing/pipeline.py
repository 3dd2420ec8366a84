"""The import pipeline, written once for every kind.

``import_report_submit`` (the web request or a command): validate a report as a
stream, staging its rows into a table of their own as they pass, and record
the job, all in one transaction; queue the generic task once committed.

``import_job_apply`` (the task or a command): apply a job in one transaction
with its heartbeat running; a failure rolls back (the previous data stays
exactly as it was), fails the job and drops its staged rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from kombu.exceptions import OperationalError as BrokerError

from apps.core import messages
from apps.core.exceptions import ServiceUnavailableError, ValidationFailed
from apps.core.importing.jobs import (
    GAVE_UP,
    JobPulse,
    import_job_create,
    import_job_fail,
    import_job_start,
    import_job_succeed,
)
from apps.core.importing.partitions import build_indexes_like_parent, drop_tables, is_partitioned
from apps.core.importing.registry import Report, get_importer
from apps.core.importing.rows import RowValidator
from apps.core.importing.staging import StageTable, leftover_tables
from apps.core.message_text import Msg
from apps.core.models import ApiClient, ImportJob

logger = logging.getLogger(__name__)

# The one task that applies an import of any kind (apps/core/tasks.py, loaded by
# CoreConfig.ready), looked up by name so that this module does not import it.
RUN_IMPORT_TASK = "apps.core.tasks.run_import"


@dataclass
class Submitted:
    job: ImportJob
    report: Report
    rows: int


def rejected_scope(report: Any) -> str:
    """The scope a rejected report was for (its year), as far as it can be told,
    so that the failed job stays findable by it; empty when it cannot."""
    try:
        return str(report.scope)[:40]
    except Exception:
        return ""


def import_report_submit(
    *,
    kind: str,
    body: IO[bytes],
    params: Mapping[str, Any],
    body_sha256: str,
    body_size: int,
    client: ApiClient | None = None,
    trace_id: str = "",
    source: str = "api",
    enqueue: bool = True,
    on_progress: Callable[[int], None] | None = None,
) -> Submitted:
    """Validate a report (a JSON array, streamed), stage its rows and record its job.

    Any invalid row: ValidationFailed (first 100 errors, all counted) and nothing
    is kept (the staged table goes with the rolled-back transaction). Another
    active import of the same scope: ConflictError (409). Accepted: the job is
    queued for ``apps.core.tasks.run_import`` once committed (``enqueue=False``:
    the caller applies it); a broker that cannot take the task fails the job and
    raises ServiceUnavailableError (503).
    """
    importer = get_importer(kind)
    report = importer.start(params=params)
    # The fast path writes COPY text: PostgreSQL only (elsewhere rows are inserted).
    check_block = report.check_block if connection.vendor == "postgresql" else None
    validator = RowValidator(fields=importer.fields, check_row=report.check_row, check_block=check_block)
    with transaction.atomic():
        stage = StageTable.create(model=importer.model, columns=importer.staged_columns)
        if is_partitioned(stage.target):
            build_indexes_like_parent(stage.name, stage.target, before_load=True)
        rows = stage.load(validator.iter_valid(body, on_progress))
        try:
            report.finish(rows=rows, errors=validator.errors)
            validator.errors.raise_if_any(Msg(importer.invalid_message, count=validator.errors.count))
        except ValidationFailed as exc:
            exc.scope = rejected_scope(report)  # type: ignore[attr-defined]
            raise
        job = import_job_create(
            kind=kind,
            scope=report.scope,
            total=rows,
            client=client,
            source=source,
            trace_id=trace_id,
            body_sha256=body_sha256,
            body_size=body_size,
            body_file=body,
            stage_table=stage.name,
        )
        if enqueue:
            transaction.on_commit(lambda: enqueue_import(job_id=job.pk))
    return Submitted(job=job, report=report, rows=rows)


def enqueue_import(*, job_id: int, fail_on_error: bool = True) -> None:
    """Queue ``run_import(job_id)``. If the broker cannot take it, fail the job at
    once (so that it does not block its scope), drop its staged rows and raise
    ServiceUnavailableError: the caller answers 503 and may retry."""
    try:
        current_app.tasks[RUN_IMPORT_TASK].delay(job_id)
    except BrokerError as exc:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise
        logger.error("Could not queue import %s: %s", job_id, exc)
        if fail_on_error:
            job = ImportJob.objects.filter(pk=job_id).first()
            import_job_fail(job_id=job_id, message=f"Could not queue the import: {type(exc).__name__}: {exc}")
            if job is not None:
                ImportJob.objects.filter(pk=job_id).update(stage_table="")
                stage_drop(kind=job.kind, table=job.stage_table)
        raise ServiceUnavailableError(messages.BROKER_UNAVAILABLE) from exc


def _lock_import_job(job_id: int) -> None:
    """Serialise deliveries of the same job: a re-delivered task waits here for a
    still-running first delivery and then finds the job finished."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7301, job_id])
            if connection.pg_version >= 140000:  # type: ignore[attr-defined]  # PostgreSQL 14+
                # A backend whose worker died mid-statement notices within seconds.
                cursor.execute("SET LOCAL client_connection_check_interval = '2s'")


def import_job_apply(*, job_id: int, on_progress: Callable[[int], None] | None = None) -> ImportJob | None:
    """Apply a queued job in one transaction and mark it succeeded in that same
    transaction.

    Any failure rolls everything back (the previous data stays exactly as it
    was), marks the job failed and drops its staged rows. A job that is already
    finished is not applied again (returns None): a re-delivered task is
    harmless. A job whose earlier attempts died (killed worker) is applied again
    from its staged rows, up to IMPORT_MAX_ATTEMPTS times.
    """
    job = import_job_start(job_id=job_id)
    if job is None:
        return None
    importer = get_importer(job.kind)
    if job.attempts > settings.IMPORT_MAX_ATTEMPTS:
        import_job_fail(job_id=job_id, message=Msg(GAVE_UP, attempts=settings.IMPORT_MAX_ATTEMPTS))
        stage_drop(kind=job.kind, table=job.stage_table)
        return None
    stage = StageTable(job.stage_table, model=importer.model, columns=importer.staged_columns)
    with JobPulse(job.pk) as pulse:

        def progress(done: int) -> None:
            pulse.progress(done)
            if on_progress is not None:
                on_progress(done)

        try:
            with transaction.atomic():
                _lock_import_job(job.pk)
                if not ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).exists():
                    return None
                counts = importer.apply(job=job, stage=stage, progress=progress)
                import_job_succeed(job=job, counts=counts)
        except Exception as exc:
            logger.exception("Import %s (%s %s) failed", job.public_id, job.kind, job.scope)
            import_job_fail(job_id=job.pk, message=f"{type(exc).__name__}: {exc}")
            ImportJob.objects.filter(pk=job.pk).update(stage_table="")
            stage_drop(kind=job.kind, table=stage.name)
            job.refresh_from_db()
            return job
    try:
        importer.after_commit(job=job)
    except Exception:  # the data is committed; a leftover table is dropped by the purge
        logger.exception("Clean-up after import %s failed", job.public_id)
    return job


def stage_drop(*, kind: str, table: str) -> None:
    """Drop a job's staged rows (the job failed or was given up)."""
    if table:
        drop_tables([table])


def stage_leftovers_drop() -> int:
    """Drop stage tables no job refers to and old partitions left by a crash
    between a swap's commit and its clean-up. Tables are listed before the jobs
    are read: a stage table is committed together with its job."""
    candidates = leftover_tables(referenced=())
    referenced = set(ImportJob.objects.exclude(stage_table="").values_list("stage_table", flat=True))
    doomed = [name for name in candidates if name not in referenced]
    drop_tables(doomed)
    return len(doomed)
