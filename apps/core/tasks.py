from celery import shared_task

from apps.core.services import idempotency_purge_expired


@shared_task(name="apps.core.tasks.purge_expired_idempotency_records")
def purge_expired_idempotency_records() -> int:
    """Forget traceIds / idempotency keys older than IDEMPOTENCY_RETENTION_HOURS."""
    return idempotency_purge_expired()
