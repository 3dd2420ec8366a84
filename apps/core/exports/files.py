"""Exports of whole admin lists: CSV streamed to the browser, XLSX built by a
Celery task into an ``ExportFile`` the user downloads when it is ready.

The rows are the admin changelist's queryset for the filters the user had
(ChangeList itself parses them, so an export shows exactly the list), read
with ``values_list(...).iterator()``: a server-side cursor on PostgreSQL, a few
thousand rows in memory at a time."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import ModelAdmin
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.test import RequestFactory
from django.utils import timezone

from apps.core.exports.cells import Column, csv_row_formatter, headers, xlsx_row_formatter
from apps.core.exports.sql_text import sql_text_rows, sql_text_supported
from apps.core.exports.writers import xlsx_write
from apps.core.models import ExportFile

logger = logging.getLogger(__name__)
ITERATOR_CHUNK = 5000
PROGRESS_EVERY = 5000


def changelist_queryset(model_admin: ModelAdmin, request: HttpRequest) -> tuple[QuerySet, int]:
    """The changelist's filtered, searched and ordered queryset (the ordering
    ends with the primary key) and its row count."""
    changelist = model_admin.get_changelist_instance(request)
    return changelist.get_queryset(request), changelist.result_count


def raw_rows(queryset: QuerySet, columns: Sequence[Column]) -> Iterator[tuple[Any, ...]]:
    """Each row's database values, streamed (a server-side cursor on PostgreSQL)."""
    return queryset.values_list(*[column.path for column in columns]).iterator(chunk_size=ITERATOR_CHUNK)


def csv_rows(queryset: QuerySet, columns: Sequence[Column]) -> tuple[Iterator[Any], Callable[[Any], Any]]:
    """The rows of a CSV export and the function that makes a row's cells: on
    PostgreSQL the database makes them (sql_text), elsewhere Python does."""
    if sql_text_supported(queryset, columns):
        return sql_text_rows(queryset, columns, chunk_size=ITERATOR_CHUNK), _as_is
    return raw_rows(queryset, columns), csv_row_formatter(columns)


def _as_is(row: Any) -> Any:
    return row


def export_rows(queryset: QuerySet, columns: Sequence[Column]) -> Iterator[list[Any]]:
    """Each row as its XLSX cell values (codes as words), streamed."""
    return map(xlsx_row_formatter(columns), raw_rows(queryset, columns))


def _model_admin(model_label: str) -> ModelAdmin:
    return admin.site._registry[apps.get_model(model_label)]


def export_file_request(*, model_admin: ModelAdmin, request: HttpRequest, title: str, total: int) -> ExportFile:
    """Record the export of the list as filtered in ``request`` and queue its build."""
    from apps.core.tasks import build_export_file

    export = ExportFile.objects.create(
        model_label=model_admin.model._meta.label,
        title=title,
        file_format="xlsx",
        query=request.GET.urlencode(),
        requested_by=request.user if request.user.is_authenticated else None,
        progress_total=total,
    )
    transaction.on_commit(lambda: build_export_file.delay(export.pk))
    return export


def export_file_build(*, export_id: int) -> ExportFile:
    """Build the XLSX of an ``ExportFile``: the changelist's rows for the stored
    filters, as the user who asked for it sees them, in write-only mode (the
    sheet goes to a temporary file as the rows come)."""
    export = ExportFile.objects.select_related("requested_by").get(pk=export_id)
    if export.status in (ExportFile.Status.SUCCEEDED, ExportFile.Status.FAILED):
        return export
    ExportFile.objects.filter(pk=export.pk).update(status=ExportFile.Status.RUNNING)
    try:
        model_admin = _model_admin(export.model_label)
        request = RequestFactory().get("/", QueryDict(export.query))
        request.user = export.requested_by  # type: ignore[assignment]
        queryset, total = changelist_queryset(model_admin, request)
        columns: Sequence[Column] = model_admin.export_columns  # type: ignore[attr-defined]
        ExportFile.objects.filter(pk=export.pk).update(progress_total=total)

        def progress(rows: int) -> None:
            ExportFile.objects.filter(pk=export.pk).update(progress_done=min(rows, total))

        with tempfile.TemporaryFile() as target:
            rows = [headers(columns)]
            sheet = _with_header(rows[0], export_rows(queryset, columns))
            written = xlsx_write(target, [(export.title, sheet)], progress=progress, every=PROGRESS_EVERY)
            target.seek(0)
            export.file.save(f"{export.public_id}.xlsx", File(target), save=False)
        export.status = ExportFile.Status.SUCCEEDED
        export.progress_done = export.progress_total = max(written - 1, 0)
        export.finished_at = timezone.now()
        export.save(update_fields=["file", "status", "progress_done", "progress_total", "finished_at"])
    except Exception as error:
        logger.exception("Export %s failed", export.public_id)
        ExportFile.objects.filter(pk=export.pk).update(
            status=ExportFile.Status.FAILED, message=str(error)[:1000], finished_at=timezone.now()
        )
        export.refresh_from_db()
    return export


def _with_header(header: list[str], rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    yield header
    yield from rows


def export_files_purge() -> int:
    """Delete the export files (file and row) asked for more than
    EXPORT_FILE_RETENTION_DAYS ago, and those left running by a worker that died
    as long ago. Returns how many were deleted."""
    cutoff = timezone.now() - timedelta(days=settings.EXPORT_FILE_RETENTION_DAYS)
    deleted = 0
    for export in ExportFile.objects.filter(created_at__lt=cutoff).iterator():
        if export.file:
            export.file.delete(save=False)
        export.delete()
        deleted += 1
    return deleted
