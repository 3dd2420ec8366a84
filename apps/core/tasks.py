from datetime import timedelta

from celery import shared_task
from django.conf import settings

from apps.core.services import idempotency_purge_expired, import_job_fail_stale


@shared_task(name="apps.core.tasks.purge_expired_idempotency_records")
def purge_expired_idempotency_records() -> int:
    """Forget traceIds / idempotency keys older than IDEMPOTENCY_RETENTION_HOURS."""
    return idempotency_purge_expired()


@shared_task(name="apps.core.tasks.fail_stale_import_jobs")
def fail_stale_import_jobs() -> int:
    """Free the scope of imports whose worker and message were lost."""
    limit = settings.CELERY_TASK_TIME_LIMIT + settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    return import_job_fail_stale(older_than=timedelta(seconds=limit * 2))
