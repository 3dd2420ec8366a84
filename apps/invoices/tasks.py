from celery import shared_task
from django.conf import settings

from apps.invoices.services import invoice_year_replace


@shared_task(
    name="apps.invoices.tasks.apply_invoice_import",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def apply_invoice_import(job_id: int) -> str | None:
    """Replace a year from a staged import. Safe to deliver twice: a finished job is
    not applied again, and a killed attempt left nothing behind (it rolled back)."""
    job = invoice_year_replace(job_id=job_id)
    return job.status if job is not None else None
