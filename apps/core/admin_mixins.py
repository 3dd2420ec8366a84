"""Admin building blocks shared by the finhub apps."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX

from apps.core.bounds import field_bounds

# The file formats finance staff export to (and import reference data from).
CSV_XLSX_FORMATS = [CSV, XLSX]


class ExportCsvXlsxMixin(ExportMixin):
    """An "Export" button that exports the filtered changelist as CSV or XLSX
    (django-import-export; the export honours the current filters and search)."""

    export_formats = CSV_XLSX_FORMATS


class BoundedTextAdminMixin:
    """The admin's text inputs refuse what apps.core.bounds refuses (control
    characters, lone surrogates, U+FFFE/U+FFFF) besides Django's own NUL and length
    checks, so that what staff type can be exported and served like what the APIs take."""

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if (
            formfield is not None
            and isinstance(db_field, models.CharField | models.TextField)
            and db_field.max_length is not None
            and not db_field.choices
        ):
            formfield.validators.extend(field_bounds(db_field.model, db_field.name).form_validators())
        return formfield


class ReadOnlyAdminMixin:
    """Data that belongs to another system (SAP): viewable and exportable, never
    edited here, because the next import replaces it."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


DOWNLOAD_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def file_download(content: bytes | str, *, file_format: str, filename: str) -> HttpResponse:
    """An attachment finance staff download (a report as CSV or XLSX); the file name
    is reduced to safe ASCII characters."""
    if file_format not in DOWNLOAD_CONTENT_TYPES:
        raise Http404(file_format)
    safe = "".join(char if (char.isascii() and char.isalnum()) or char in "-_." else "_" for char in filename)
    response = HttpResponse(content, content_type=DOWNLOAD_CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{safe}.{file_format}"'
    return response
