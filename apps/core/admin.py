from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.core.admin_exports import export_download
from apps.core.admin_mixins import OneTimeSecret, one_time_secrets_page
from apps.core.models import ApiClient, ApiToken, ExportFile, IdempotencyRecord, ImportJob
from apps.core.scopes import ApiScope
from apps.core.services import api_client_create, api_client_rotate_secret, api_scopes_clean


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=ApiScope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What the client may call; a call outside its grants is refused (403)."),
    )

    class Meta:
        model = ApiClient
        fields = ["name", "sys", "is_active", "scopes"]

    def clean_scopes(self) -> list[str]:
        return api_scopes_clean(self.cleaned_data["scopes"])


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
    form = ApiClientForm
    list_display = ["name", "sys", "scopes", "app_key", "is_active", "created_at", "last_used_at"]
    list_filter = ["is_active", "sys"]
    search_fields = ["name", "app_key"]
    readonly_fields = ["app_key", "created_at", "last_used_at"]
    fields = ["name", "sys", "is_active", "scopes", "app_key", "created_at", "last_used_at"]
    inlines = [ApiTokenInline]
    actions = ["rotate_secret"]

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        credentials = api_client_create(name=obj.name, sys=obj.sys, is_active=obj.is_active, scopes=obj.scopes)
        obj.pk = credentials.client.pk
        obj.app_key = credentials.app_key
        obj.app_secret_hash = credentials.client.app_secret_hash
        obj.created_at = credentials.client.created_at
        request._one_time_secrets = [  # type: ignore[attr-defined]
            OneTimeSecret(obj.name, "appKey", credentials.app_key),
            OneTimeSecret(obj.name, "appSecret", credentials.app_secret),
        ]

    def response_add(self, request: HttpRequest, obj: ApiClient, post_url_continue: str | None = None) -> HttpResponse:
        secrets = getattr(request, "_one_time_secrets", None)
        if not secrets:
            return super().response_add(request, obj, post_url_continue)
        return one_time_secrets_page(request, self, secrets, title=_("New API client"))

    @admin.action(description=_("Rotate the secret (revokes the client's tokens)"), permissions=["change"])
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> HttpResponse:
        secrets = [
            OneTimeSecret(client.name, "appSecret", api_client_rotate_secret(client=client).app_secret)
            for client in queryset
        ]
        return one_time_secrets_page(
            request, self, secrets, title=_("New secrets"), notes=[_("The clients' tokens were revoked.")]
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
        self.message_user(
            request, ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count) % {"count": count}
        )


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["key", "scope", "endpoint", "state", "response_status", "created_at", "expires_at"]
    list_filter = ["state", "endpoint"]
    search_fields = ["key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# What each kind of import loads, in words (the kind itself is a code of the pipeline).
IMPORT_KIND_LABELS = {
    "invoices": _("SAP invoices"),
    "ap_balance": _("SAP AP open balance"),
}


def import_kind_label(kind: str) -> Any:
    return IMPORT_KIND_LABELS.get(kind, kind)


# Scopes that are words, not a year: shown translated (the stored value stays the code).
IMPORT_SCOPE_LABELS = {"current": _("current")}


def import_scope_label(scope: str) -> Any:
    return IMPORT_SCOPE_LABELS.get(scope, scope)


class _LabelledCodeFilter(admin.SimpleListFilter):
    """A filter on a code field that lists the codes in words, as the column shows them."""

    def label(self, code: str) -> Any:
        raise NotImplementedError

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        codes = model_admin.get_queryset(request).order_by().values_list(self.parameter_name, flat=True).distinct()
        return [(code, self.label(code)) for code in sorted(codes)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value():
            return queryset.filter(**{str(self.parameter_name): self.value()})
        return queryset


class ImportKindFilter(_LabelledCodeFilter):
    title = _("kind")
    parameter_name = "kind"

    def label(self, code: str) -> Any:
        return import_kind_label(code)


class ImportScopeFilter(_LabelledCodeFilter):
    title = _("scope")
    parameter_name = "scope"

    def label(self, code: str) -> Any:
        return import_scope_label(code)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "short_id",
        "kind_label",
        "scope_label",
        "status",
        "progress",
        "counts_summary",
        "client",
        "created_at",
        "duration",
    ]
    list_filter = [ImportKindFilter, "status", ImportScopeFilter, "client"]
    search_fields = ["public_id", "trace_id", "scope", "body_sha256"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "public_id",
        "kind_label",
        "scope_label",
        "status",
        "progress",
        "progress_done",
        "progress_total",
        "counts",
        "errors_display",
        "error_count",
        "message_display",
        "client",
        "source",
        "trace_id",
        "body_sha256",
        "body_size",
        "raw_body_link",
        "body_purged_at",
        "attempts",
        "heartbeat_at",
        "created_at",
        "started_at",
        "finished_at",
        "duration",
    ]
    exclude = ["stage_table", "raw_body", "kind", "scope"]  # shown in words (kind_label, scope_label)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[Any]:
        own = [
            path(
                "<int:object_id>/raw-body/",
                self.admin_site.admin_view(self.raw_body_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_raw_body",
            )
        ]
        return own + super().get_urls()

    def raw_body_view(self, request: HttpRequest, object_id: int) -> FileResponse:
        """The body as it was received, for whoever may view the job; read through
        the default storage (local or S3), never served from a public URL."""
        job = get_object_or_404(ImportJob, pk=object_id)
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        if not job.raw_body:
            raise Http404(_("This import's raw body is not kept (purged or never stored)."))
        try:
            body = job.raw_body.open("rb")
        except FileNotFoundError:
            raise Http404(_("This import's raw body is not kept (purged or never stored).")) from None
        filename = f"{job.kind}-{job.scope}-{job.public_id}.json"
        return FileResponse(body, as_attachment=True, filename=filename, content_type="application/json")

    @admin.display(description=_("raw body"))
    def raw_body_link(self, job: ImportJob) -> str:
        if not job.raw_body:
            return "–"
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_raw_body", args=[job.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)  # an audit record (apps.core.groups)

    @admin.display(description=_("message"))
    def message_display(self, job: ImportJob) -> str:
        return job.message_text or "–"

    @admin.display(description=_("first errors"))
    def errors_display(self, job: ImportJob) -> Any:
        """Each row error as "row, field: message", the message in the viewer's language."""
        errors = job.errors_text
        if not errors:
            return "–"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{}: {} {}</li>",
                (
                    (
                        _("row %(index)s") % {"index": error.get("index", "?")},
                        error.get("field") or "–",
                        error.get("message", ""),
                    )
                    for error in errors
                ),
            ),
        )

    @admin.display(description=_("job id"), ordering="public_id")
    def short_id(self, job: ImportJob) -> str:
        # The first 8 hex digits fit the list; the whole id is in the title and on the page.
        return format_html('<span title="{}">{}</span>', job.public_id, str(job.public_id)[:8])

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, job: ImportJob) -> Any:
        return import_kind_label(job.kind)

    @admin.display(description=_("scope"), ordering="scope")
    def scope_label(self, job: ImportJob) -> Any:
        return import_scope_label(job.scope)

    @admin.display(description=_("duration"))
    def duration(self, job: ImportJob) -> Any:
        return job.duration or "–"

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
