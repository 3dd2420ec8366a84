"""The platform's Celery tasks: the one import task and the housekeeping run by beat.
Tasks take ids and call a service (apps.core.importing); no logic of their own."""

from celery import shared_task
from django.conf import settings

from apps.core.importing.housekeeping import import_bodies_purge, import_jobs_sweep
from apps.core.importing.pipeline import import_job_apply
from apps.core.services import idempotency_purge_expired


@shared_task(
    name="apps.core.tasks.run_import",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def run_import(job_id: int) -> str | None:
    """Apply an import job of any kind. Safe to deliver twice: a finished job is
    not applied again, and a killed attempt left nothing behind (it rolled back)."""
    job = import_job_apply(job_id=job_id)
    return job.status if job is not None else None


@shared_task(name="apps.core.tasks.purge_expired_idempotency_records")
def purge_expired_idempotency_records() -> int:
    """Forget traceIds / idempotency keys older than IDEMPOTENCY_RETENTION_HOURS."""
    return idempotency_purge_expired()


@shared_task(name="apps.core.tasks.sweep_import_jobs")
def sweep_import_jobs() -> int:
    """Re-queue or fail imports whose worker stopped (no heartbeat), fail those
    whose message was lost. Returns how many jobs it acted on."""
    outcome = import_jobs_sweep()
    return len(outcome["requeued"]) + len(outcome["failed"])


@shared_task(name="apps.core.tasks.purge_import_bodies")
def purge_import_bodies() -> dict[str, int]:
    """Delete raw bodies past their retention and leftover stage tables."""
    return import_bodies_purge()


@shared_task(
    name="apps.core.tasks.build_export_file",
    acks_late=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def build_export_file(export_id: int) -> str:
    """Write the XLSX of an admin list export (apps.core.exports.files)."""
    from apps.core.exports.files import export_file_build

    return export_file_build(export_id=export_id).status


@shared_task(name="apps.core.tasks.purge_export_files")
def purge_export_files() -> int:
    """Delete export files past EXPORT_FILE_RETENTION_DAYS."""
    from apps.core.exports.files import export_files_purge

    return export_files_purge()
