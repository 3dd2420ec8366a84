"""Reads of the platform's models that are more than a plain filter."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from apps.core.models import ImportJob

ATTENTION_STATUSES = (ImportJob.Status.FAILED, ImportJob.Status.RUNNING, ImportJob.Status.QUEUED)


def import_jobs_needing_attention(*, since: dt.datetime) -> QuerySet[ImportJob]:
    """Imports created since ``since`` that failed or are still queued or running, newest first."""
    return (
        ImportJob.objects.filter(created_at__gte=since, status__in=ATTENTION_STATUSES)
        .select_related("client")
        .order_by("-created_at", "-pk")
    )
