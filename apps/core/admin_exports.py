"""The admin's export of a whole (filtered) list, for the big lists (invoices,
AP lines): CSV streamed straight to the browser; XLSX built synchronously for a
small list and by a Celery task otherwise, downloaded from *Export files* when
ready (progress shown there, like imports)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, ClassVar

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBadRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.admin_mixins import file_download, has_model_permission
from apps.core.exports.cells import Column, headers
from apps.core.exports.files import changelist_queryset, csv_rows, export_file_request, export_rows
from apps.core.exports.writers import XLSX_CONTENT_TYPE, csv_streaming_response, safe_filename, xlsx_write

# The changelist template with the two export buttons (set it on the admin).
EXPORT_CHANGE_LIST_TEMPLATE = "admin/core/export_change_list.html"


class ListExportAdminMixin:
    """Adds "Export CSV" / "Export XLSX" to the changelist; the export has the
    list's filters, search and ordering. Set ``export_columns`` and
    ``change_list_template = EXPORT_CHANGE_LIST_TEMPLATE``."""

    export_columns: ClassVar[Sequence[Column]] = ()
    model: Any
    opts: Any
    admin_site: Any

    def has_export_permission(self, request: HttpRequest) -> bool:
        return has_model_permission(request, self.opts, "view")

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "export/<str:file_format>/",
                self.admin_site.admin_view(self.list_export_view),
                name="{}_{}_list_export".format(*info),
            )
        ]
        return own + super().get_urls()  # type: ignore[misc]

    def export_title(self) -> str:
        return f"{self.opts.verbose_name_plural} {timezone.localdate().isoformat()}"

    def list_export_view(self, request: HttpRequest, file_format: str) -> HttpResponseBase:
        if not self.has_export_permission(request):
            raise PermissionDenied
        if file_format not in ("csv", "xlsx"):
            raise Http404(file_format)
        try:
            queryset, total = changelist_queryset(self, request)  # type: ignore[arg-type]
        except IncorrectLookupParameters:
            return HttpResponseBadRequest(_("The list's filters are not valid."))
        title = self.export_title()
        filename = title.replace(" ", "-")
        columns = self.export_columns
        if file_format == "csv":
            rows, formatter = csv_rows(queryset, columns)
            return csv_streaming_response(headers(columns), rows, filename=filename, formatter=formatter)
        if total <= settings.EXPORT_SYNC_XLSX_ROWS:
            target = io.BytesIO()
            xlsx_write(target, [(str(self.opts.verbose_name_plural), _sheet(columns, queryset))])
            return file_download(target.getvalue(), file_format="xlsx", filename=filename)
        export = export_file_request(model_admin=self, request=request, title=title, total=total)  # type: ignore[arg-type]
        messages.info(
            request,
            _("The XLSX file of %(rows)s rows is being built; download it here when it is ready.") % {"rows": total},
        )
        return redirect(reverse("admin:core_exportfile_change", args=[export.pk]))


def _sheet(columns: Sequence[Column], queryset: Any) -> Any:
    yield headers(columns)
    yield from export_rows(queryset, columns)


def export_download(request: HttpRequest, export: Any) -> FileResponse:
    """The built file, for the user who asked for it (or a superuser)."""
    if not (request.user.is_superuser or export.requested_by_id == request.user.pk):
        raise PermissionDenied
    if not export.file:
        raise Http404
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=safe_filename(export.title.replace(" ", "-"), export.file_format),
        content_type=XLSX_CONTENT_TYPE,
    )
