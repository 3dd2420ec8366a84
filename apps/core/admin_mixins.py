"""Admin building blocks shared by the finhub apps."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Count, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportActionMixin, ExportMixin, ImportExportModelAdmin

from apps.core.admin_history import HistoryAdmin
from apps.core.bounds import field_bounds
from apps.core.exports.formats import SafeCSV, SafeXLSX
from apps.core.money_display import money_html

__all__ = ["HistoryAdmin"]  # re-exported: the apps import it from here

# The file formats finance staff export to (and import reference data from):
# formulas neutralised on export (apps.core.exports.formats).
CSV_XLSX_FORMATS = [SafeCSV, SafeXLSX]
# CSV with a BOM, so that Excel reads non-ASCII text right.
CSV_ENCODING = "utf-8-sig"


def has_model_permission(request: HttpRequest, opts: Any, action: str) -> bool:
    return bool(request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"))


class ExportPermissionMixin:
    """Exporting needs the model's view permission (django-import-export allows
    it to anyone who reaches the admin unless told otherwise)."""

    opts: Any
    to_encoding = CSV_ENCODING

    def has_export_permission(self, request: HttpRequest) -> bool:
        return has_model_permission(request, self.opts, "view")


class ExportCsvXlsxMixin(ExportPermissionMixin, ExportMixin):
    """An "Export" button that exports the filtered changelist as CSV or XLSX
    (django-import-export; the export honours the current filters and search)."""

    export_formats = CSV_XLSX_FORMATS


class ExportActionAdminMixin(ExportPermissionMixin, ExportActionMixin):
    """Export of the selected rows as an admin action (CSV or XLSX), which, like
    every action, declares the permission it needs."""

    formats = CSV_XLSX_FORMATS

    @admin.action(description=_("Export the selected rows"), permissions=["view"])
    def export_admin_action(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse:
        return super().export_admin_action(request, queryset)  # type: ignore[no-any-return]


class ImportExportAdmin(ExportPermissionMixin, ImportExportModelAdmin):
    """Reference data staff keep in spreadsheets: import and export as CSV/XLSX.
    An import adds and changes rows, so it needs both the add and the change
    permission of the model (a view-only user gets no Import button and a 403)."""

    formats = CSV_XLSX_FORMATS

    def has_import_permission(self, request: HttpRequest) -> bool:
        return has_model_permission(request, self.opts, "add") and has_model_permission(request, self.opts, "change")


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


@dataclass(frozen=True)
class OneTimeSecret:
    owner: str
    label: Any
    value: str


def one_time_secrets_page(
    request: HttpRequest, model_admin: Any, secrets: list[OneTimeSecret], *, title: Any, notes: list[Any] | None = None
) -> TemplateResponse:
    """The answer to the POST that created secrets (an appSecret, a long-lived token):
    shown on this page only, never put in the messages cookie or the session, and
    not cached by the browser or a proxy."""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.opts,
        "secrets": secrets,
        "notes": notes or [],
        "back_url": reverse(f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist"),
    }
    response = TemplateResponse(request, "admin/core/one_time_secrets.html", context)
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, " + response["Cache-Control"]
    return response


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


class CurrencyTotalsMixin:
    """Totals per currency of the filtered changelist (every filter and the search
    applied, not only the page shown), drawn under the list by the finhub
    ``admin/change_list.html``. ``totals_fields`` are the money fields summed,
    ``totals_currency`` the currency field (a lookup path)."""

    totals_currency: str = "currency"
    totals_fields: tuple[str, ...] = ()

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        context = getattr(response, "context_data", None)
        if context is not None and "cl" in context and self.totals_fields:
            context["currency_totals"] = self.currency_totals(context["cl"].queryset)
        return response

    def currency_totals(self, queryset: models.QuerySet[Any]) -> dict[str, Any]:
        """Header labels and one row per currency: code, count, formatted sums."""
        model = queryset.model
        sums = {f"total_{name}": Sum(name) for name in self.totals_fields}
        rows = (
            queryset.order_by()
            .values(self.totals_currency)
            .annotate(total_count=Count("pk"), **sums)
            .order_by(self.totals_currency)
        )
        labels = [model._meta.get_field(name).verbose_name for name in self.totals_fields]
        table = []
        for row in rows:
            currency = row[self.totals_currency]
            amounts = [money_html(row[f"total_{name}"] or Decimal(0), currency) for name in self.totals_fields]
            table.append({"currency": currency, "count": row["total_count"], "amounts": amounts})
        return {"labels": labels, "rows": table}
