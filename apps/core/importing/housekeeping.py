"""Housekeeping of imports, run by beat and by ``manage.py purge_imports``: the
sweep that frees the scope of a job whose worker is gone, and retention."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.importing.jobs import import_job_fail
from apps.core.importing.pipeline import enqueue_import, stage_drop, stage_leftovers_drop
from apps.core.message_text import Msg, message_code
from apps.core.models import ImportJob

ABANDONED = _("Abandoned: no worker finished it in time.")
WORKER_LOST = _("The worker applying it stopped answering (no heartbeat for {seconds} s).")


def import_jobs_sweep() -> dict[str, list[int]]:
    """Free the scopes of imports whose worker is gone.

    A running job whose heartbeat is older than ``IMPORT_STALE_AFTER_SECONDS``
    lost its worker (killed whole, machine gone): its transaction rolled back, so
    nothing of it was applied. It is queued again from its staged rows while it
    has attempts left (``IMPORT_MAX_ATTEMPTS``), else failed, which frees its
    scope for a re-post. A job queued for longer than any task may run lost its
    message (a broker restart) and is failed. Returns the job ids per outcome."""
    now = timezone.now()
    stale_after = settings.IMPORT_STALE_AFTER_SECONDS
    requeued: list[int] = []
    failed: list[int] = []
    running = ImportJob.objects.filter(
        status=ImportJob.Status.RUNNING, heartbeat_at__lt=now - timedelta(seconds=stale_after)
    )
    for job in running:
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update(skip_locked=True).filter(pk=job.pk, status="running").first()
            if (
                locked is None
                or locked.heartbeat_at is None
                or locked.heartbeat_at >= now - timedelta(seconds=stale_after)
            ):
                continue
            if locked.attempts < settings.IMPORT_MAX_ATTEMPTS and locked.stage_table:
                locked.status = ImportJob.Status.QUEUED
                locked.heartbeat_at = None
                locked.save(update_fields=["status", "heartbeat_at"])
                transaction.on_commit(partial(enqueue_import, job_id=locked.pk, fail_on_error=True))
                requeued.append(locked.pk)
            else:
                stage = locked.stage_table
                import_job_fail(job_id=locked.pk, message=Msg(WORKER_LOST, seconds=stale_after))
                ImportJob.objects.filter(pk=locked.pk).update(stage_table="")
                transaction.on_commit(partial(stage_drop, kind=locked.kind, table=stage))
                failed.append(locked.pk)
    limit = settings.CELERY_TASK_TIME_LIMIT + settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    lost = ImportJob.objects.filter(status=ImportJob.Status.QUEUED, created_at__lt=now - timedelta(seconds=limit * 2))
    for job in lost:
        if ImportJob.objects.filter(pk=job.pk, status="queued").update(
            status=ImportJob.Status.FAILED,
            message=str(ABANDONED),
            message_code=message_code(ABANDONED) or "",
            finished_at=now,
            stage_table="",
        ):
            stage_drop(kind=job.kind, table=job.stage_table)
            failed.append(job.pk)
    return {"requeued": requeued, "failed": failed}


def import_bodies_purge(*, now: Any = None) -> dict[str, int]:
    """Delete raw bodies past their retention (``IMPORT_RETENTION_SUCCEEDED_DAYS``
    for applied imports, ``IMPORT_RETENTION_FAILED_DAYS`` for rejected and failed
    ones; 0 keeps them for ever) and stage tables that no job refers to. The job
    row stays with its digest, size, counts and errors; ``body_purged_at`` says
    when its body went."""
    now = now or timezone.now()
    purged = {"succeeded": 0, "failed": 0}
    for status, days in (
        (ImportJob.Status.SUCCEEDED, settings.IMPORT_RETENTION_SUCCEEDED_DAYS),
        (ImportJob.Status.FAILED, settings.IMPORT_RETENTION_FAILED_DAYS),
    ):
        if not days:
            continue
        expired = (
            ImportJob.objects.filter(status=status, created_at__lt=now - timedelta(days=days))
            .exclude(raw_body="")
            .only("pk", "raw_body")
        )
        for job in expired.iterator():
            job.raw_body.delete(save=False)
            ImportJob.objects.filter(pk=job.pk).update(raw_body="", body_purged_at=now)
            purged[str(status)] += 1
    purged["tables"] = stage_leftovers_drop()
    return purged
