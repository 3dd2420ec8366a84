"""Platform models shared by every business app: API clients and their tokens,
idempotency keys, and the import job that records every bulk import."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiClient(models.Model):
    """A system allowed to call finhub (SAP, a supplier gateway, BI).

    The appSecret is stored as a Django password hash; only its holder knows it.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    app_key = models.CharField(_("app key"), max_length=64, unique=True, editable=False)
    app_secret_hash = models.CharField(_("appSecret (hashed)"), max_length=256, editable=False)
    sys = models.CharField(_("system code"), max_length=32, help_text=_("The KDP sys header, e.g. pp."))
    is_active = models.BooleanField(_("active"), default=True)
    scopes = models.JSONField(
        _("scopes"),
        default=list,
        blank=True,
        help_text=_("What the client may call (apps.core.scopes); none by default."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.sys})"

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def valid(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now(), client__is_active=True)


class ApiToken(models.Model):
    """An access token issued to an API client; only its SHA-256 digest is stored."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("client"))
    token_hash = models.CharField(_("token digest"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        _("token prefix"), max_length=8, editable=False, help_text=_("First characters, to recognise a token in logs.")
    )
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.client.name})"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class IdempotencyRecord(models.Model):
    """Remembers the response to a request key (a KDP traceId, an Idempotency-Key)
    so that a retry gets the same answer without the work being done twice."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")

    scope = models.CharField(_("scope"), max_length=100, help_text=_("Whose key: the client or user it belongs to."))
    key = models.CharField(_("key"), max_length=255)
    request_hash = models.CharField(_("request digest"), max_length=64)
    endpoint = models.CharField(_("endpoint"), max_length=255)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.TextField(
        _("response body"), blank=True, help_text=_("The rendered bytes, replayed verbatim.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="core_idempotency_unique_key")]
        indexes = [models.Index(fields=["expires_at"], name="core_idem_expires_idx")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"

    @staticmethod
    def default_expiry():
        return timezone.now() + timedelta(hours=settings.IDEMPOTENCY_RETENTION_HOURS)


class ImportJobQuerySet(models.QuerySet["ImportJob"]):
    def active(self) -> ImportJobQuerySet:
        return self.filter(status__in=ImportJob.ACTIVE_STATUSES)

    def finished(self) -> ImportJobQuerySet:
        return self.exclude(status__in=ImportJob.ACTIVE_STATUSES)


def import_body_path(instance: ImportJob, filename: str) -> str:
    return f"{settings.IMPORT_BODY_DIR}/{instance.kind}/{instance.public_id}.json"


class ImportJob(models.Model):
    """One bulk import (an invoice year, an AP snapshot, a file from manage.py).

    At most one job per (kind, scope) may be queued or running: the database
    enforces it, so two concurrent imports of the same year cannot both start.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)

    public_id = models.UUIDField(_("job id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    scope = models.CharField(_("scope"), max_length=40, help_text=_("What the import replaces, e.g. the year."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress_done = models.PositiveBigIntegerField(_("rows done"), default=0)
    progress_total = models.PositiveBigIntegerField(_("rows total"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True, help_text=_("Rows added / removed / changed."))
    errors = models.JSONField(_("first errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("error count"), default=0)
    message = models.TextField(_("message"), blank=True)
    # The message language-neutrally (its English msgid and parameters), shown in the reader's language.
    message_code = models.CharField(_("message code"), max_length=500, blank=True, editable=False)
    message_params = models.JSONField(_("message parameters"), default=dict, blank=True, editable=False)
    client = models.ForeignKey(
        ApiClient, on_delete=models.SET_NULL, null=True, blank=True, related_name="imports", verbose_name=_("client")
    )
    source = models.CharField(
        _("source"), max_length=100, blank=True, help_text=_("API, or the command and file it came from.")
    )
    trace_id = models.CharField(_("trace id"), max_length=64, blank=True)
    body_sha256 = models.CharField(_("body SHA-256"), max_length=64, blank=True)
    body_size = models.PositiveBigIntegerField(_("body size (bytes)"), default=0)
    raw_body = models.FileField(_("raw body"), upload_to=import_body_path, blank=True)
    body_purged_at = models.DateTimeField(
        _("raw body purged"), null=True, blank=True, help_text=_("When the retention period removed the raw body.")
    )
    stage_table = models.CharField(
        _("staged rows table"),
        max_length=63,
        blank=True,
        editable=False,
        help_text=_("The database table holding the validated rows until the import is applied or fails."),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    heartbeat_at = models.DateTimeField(
        _("last heartbeat"), null=True, blank=True, help_text=_("Written every few seconds while a worker applies it.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "scope"],
                condition=Q(status__in=["queued", "running"]),
                name="core_importjob_one_active_per_scope",
            ),
            models.CheckConstraint(
                condition=Q(progress_done__lte=models.F("progress_total")) | Q(progress_total=0),
                name="core_importjob_progress_le_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.scope} ({self.get_status_display()})"

    @property
    def duration(self) -> timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    @property
    def message_text(self) -> str:
        """The message in the active language (older jobs: the text as stored)."""
        from apps.core.message_text import render_stored

        if self.message_code:
            return render_stored({"code": self.message_code, "params": self.message_params}, fallback=self.message)
        return self.message

    @property
    def errors_text(self) -> list[dict[str, Any]]:
        """The first row errors, each message in the active language."""
        from apps.core.message_text import render_error

        return [render_error(error) for error in self.errors or []]

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(self.progress_done * 100 / self.progress_total))


def export_file_path(instance: ExportFile, filename: str) -> str:
    return f"exports/{instance.public_id}.{instance.file_format}"


class ExportFile(models.Model):
    """A large export (XLSX) built by a Celery task from an admin list as filtered
    when it was asked for; downloaded from the admin when it is ready."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("ready")
        FAILED = "failed", _("failed")

    public_id = models.UUIDField(_("export id"), default=uuid.uuid4, unique=True, editable=False)
    model_label = models.CharField(_("list"), max_length=100, help_text=_("The admin list exported."))
    title = models.CharField(_("title"), max_length=200)
    file_format = models.CharField(_("format"), max_length=8, default="xlsx")
    query = models.TextField(_("filters"), blank=True, help_text=_("The list's filters, as in its address."))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveBigIntegerField(_("rows done"), default=0)
    progress_total = models.PositiveBigIntegerField(_("rows total"), default=0)
    file = models.FileField(_("file"), upload_to=export_file_path, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("export file")
        verbose_name_plural = _("export files")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(self.progress_done * 100 / self.progress_total))
