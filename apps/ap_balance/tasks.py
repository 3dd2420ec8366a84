from celery import shared_task

from apps.ap_balance.services import ap_snapshot_apply


@shared_task(
    name="apps.ap_balance.tasks.apply_ap_balance_import",
    acks_late=True,
    reject_on_worker_lost=True,
)
def apply_ap_balance_import(job_id: int) -> str | None:
    """Make a staged AP report the current snapshot. Safe to deliver twice: a
    finished job is not applied again, and a killed attempt left nothing behind."""
    job = ap_snapshot_apply(job_id=job_id)
    return job.status if job is not None else None
