from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.core.admin_exports import export_download
from apps.core.models import ApiClient, ApiToken, ExportFile, IdempotencyRecord, ImportJob
from apps.core.services import api_client_create, api_client_rotate_secret


class ApiTokenInline(admin.TabularInline):
    model = ApiToken
    extra = 0
    can_delete = False
    fields = ["prefix", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "expires_at", "revoked_at"]
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "sys", "app_key", "is_active", "created_at", "last_used_at"]
    list_filter = ["is_active", "sys"]
    search_fields = ["name", "app_key"]
    readonly_fields = ["app_key", "created_at", "last_used_at"]
    fields = ["name", "sys", "is_active", "app_key", "created_at", "last_used_at"]
    inlines = [ApiTokenInline]
    actions = ["rotate_secret"]

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        credentials = api_client_create(name=obj.name, sys=obj.sys, is_active=obj.is_active)
        obj.pk = credentials.client.pk
        obj.app_key = credentials.app_key
        obj.app_secret_hash = credentials.client.app_secret_hash
        obj.created_at = credentials.client.created_at
        self.message_user(
            request,
            _("Copy these now, they are not shown again: appKey %(key)s appSecret %(secret)s")
            % {"key": credentials.app_key, "secret": credentials.app_secret},
            messages.WARNING,
        )

    @admin.action(description=_("Rotate the secret (revokes the client's tokens)"), permissions=["change"])
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            credentials = api_client_rotate_secret(client=client)
            self.message_user(
                request,
                _("%(name)s: new appSecret %(secret)s (shown once)")
                % {"name": client.name, "secret": credentials.app_secret},
                messages.WARNING,
            )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "client", "created_at", "expires_at", "revoked_at", "valid"]
    list_filter = ["client", ("revoked_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["client", "prefix", "created_at", "expires_at", "revoked_at"]
    exclude = ["token_hash"]
    actions = ["revoke"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(boolean=True, description=_("valid"))
    def valid(self, token: ApiToken) -> bool:
        return token.is_valid

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, _("%(count)d token(s) revoked.") % {"count": count})


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["key", "scope", "endpoint", "state", "response_status", "created_at", "expires_at"]
    list_filter = ["state", "endpoint"]
    search_fields = ["key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "public_id",
        "kind",
        "scope",
        "status",
        "progress",
        "counts_summary",
        "client",
        "created_at",
        "duration",
    ]
    list_filter = ["kind", "status", "scope", "client"]
    search_fields = ["public_id", "trace_id", "scope", "body_sha256"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "public_id",
        "kind",
        "scope",
        "status",
        "progress",
        "progress_done",
        "progress_total",
        "counts",
        "errors",
        "error_count",
        "message",
        "client",
        "source",
        "trace_id",
        "body_sha256",
        "body_size",
        "raw_body",
        "body_purged_at",
        "attempts",
        "heartbeat_at",
        "created_at",
        "started_at",
        "finished_at",
        "duration",
    ]
    exclude = ["stage_table"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)  # an audit record (apps.core.groups)

    @admin.display(description=_("progress"))
    def progress(self, job: ImportJob) -> str:
        return format_html(
            '<progress value="{}" max="100" title="{} / {}"></progress> {}%',
            job.progress_percent,
            job.progress_done,
            job.progress_total,
            job.progress_percent,
        )

    @admin.display(description=_("added / removed / changed"))
    def counts_summary(self, job: ImportJob) -> str:
        counts = job.counts or {}
        if not counts:
            return "–"
        return f"{counts.get('added', 0)} / {counts.get('removed', 0)} / {counts.get('changed', 0)}"


@admin.register(ExportFile)
class ExportFileAdmin(admin.ModelAdmin):
    """Large exports built in the background: progress, then the download link.
    Each user sees the files they asked for (a superuser sees all)."""

    list_display = ["title", "status", "progress", "created_at", "finished_at", "download"]
    list_filter = ["status", "model_label"]
    readonly_fields = [
        "title", "model_label", "query", "requested_by", "status", "progress", "progress_total",
        "created_at", "finished_at", "message", "download",
    ]  # fmt: skip
    fields = list(readonly_fields)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExportFile]:
        files = super().get_queryset(request).select_related("requested_by")
        return files if request.user.is_superuser else files.filter(requested_by=request.user.pk)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:object_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="core_exportfile_download",
            )
        ]
        return own + super().get_urls()

    def download_view(self, request: HttpRequest, object_id: int) -> HttpResponseBase:
        if not self.has_view_permission(request):
            raise PermissionDenied
        export = get_object_or_404(self.get_queryset(request), pk=object_id, status=ExportFile.Status.SUCCEEDED)
        return export_download(request, export)

    @admin.display(description=_("progress"))
    def progress(self, export: ExportFile) -> str:
        return format_html(
            '<progress value="{}" max="100" title="{} / {}"></progress> {}%',
            export.progress_percent,
            export.progress_done,
            export.progress_total,
            export.progress_percent,
        )

    @admin.display(description=_("file"))
    def download(self, export: ExportFile) -> str:
        if export.status != ExportFile.Status.SUCCEEDED:
            return "-"
        url = reverse("admin:core_exportfile_download", args=[export.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))
