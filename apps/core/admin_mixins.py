"""Admin building blocks shared by the finhub apps."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX

# The file formats finance staff export to (and import reference data from).
CSV_XLSX_FORMATS = [CSV, XLSX]


class ExportCsvXlsxMixin(ExportMixin):
    """An "Export" button that exports the filtered changelist as CSV or XLSX
    (django-import-export; the export honours the current filters and search)."""

    export_formats = CSV_XLSX_FORMATS


class ReadOnlyAdminMixin:
    """Data that belongs to another system (SAP): viewable and exportable, never
    edited here, because the next import replaces it."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
