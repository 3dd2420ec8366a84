"""Writes of the platform: API clients, tokens, idempotency keys, import jobs."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.core import messages
from apps.core.exceptions import AuthenticationError, ConflictError, ValidationFailed
from apps.core.imports import ProgressReporter, StagedFile
from apps.core.models import ApiClient, ApiToken, IdempotencyRecord, ImportJob

logger = logging.getLogger(__name__)


def token_digest(raw_token: str) -> str:
    """Tokens are 256-bit random values, so one SHA-256 round is enough to store them
    safely while still allowing a lookup by digest."""
    return hashlib.sha256(raw_token.encode()).hexdigest()


@dataclass(frozen=True)
class ClientCredentials:
    client: ApiClient
    app_key: str
    app_secret: str


@transaction.atomic
def api_client_create(*, name: str, sys: str, is_active: bool = True) -> ClientCredentials:
    """Create an API client. The secret is returned once and only its hash is kept."""
    app_key = secrets.token_hex(16)
    app_secret = secrets.token_urlsafe(32)
    client = ApiClient.objects.create(
        name=name, sys=sys, is_active=is_active, app_key=app_key, app_secret_hash=make_password(app_secret)
    )
    return ClientCredentials(client=client, app_key=app_key, app_secret=app_secret)


@transaction.atomic
def api_client_rotate_secret(*, client: ApiClient) -> ClientCredentials:
    """Give a client a new secret and revoke its tokens."""
    app_secret = secrets.token_urlsafe(32)
    client.app_secret_hash = make_password(app_secret)
    client.save(update_fields=["app_secret_hash"])
    client.tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    return ClientCredentials(client=client, app_key=client.app_key, app_secret=app_secret)


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int
    record: ApiToken


def api_token_issue(*, app_key: str, app_secret: str) -> IssuedToken:
    """Exchange appKey/appSecret for an access token that expires after KDP_TOKEN_TTL_SECONDS."""
    client = ApiClient.objects.filter(app_key=app_key, is_active=True).first()
    if client is None or not check_password(app_secret, client.app_secret_hash):
        raise AuthenticationError(messages.CREDENTIALS_INVALID)
    raw = secrets.token_urlsafe(32)
    ttl = settings.KDP_TOKEN_TTL_SECONDS
    record = ApiToken.objects.create(
        client=client, token_hash=token_digest(raw), prefix=raw[:8], expires_at=timezone.now() + timedelta(seconds=ttl)
    )
    return IssuedToken(token=raw, expires_in=ttl, record=record)


def api_token_authenticate(*, raw_token: str) -> ApiToken:
    """Return the valid token for a raw value, or raise AuthenticationError."""
    token = ApiToken.objects.valid().select_related("client").filter(token_hash=token_digest(raw_token)).first()
    if token is None:
        raise AuthenticationError(messages.TOKEN_INVALID)
    now = timezone.now()
    last_used = token.client.last_used_at
    # Write at most once a minute per client, not on every request.
    if last_used is None or now - last_used > timedelta(minutes=1):
        ApiClient.objects.filter(pk=token.client_id).update(last_used_at=now)
    return token


def api_token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


# --- idempotency ------------------------------------------------------------


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: str


def idempotency_claim(*, scope: str, key: str, request_hash: str, endpoint: str) -> StoredResponse | None:
    """Claim ``key`` for a request, race-safely.

    Returns None when the caller now owns the key and must do the work, or the
    stored response when the same request was already answered. Raises
    ConflictError when the key was used with another body or is still in progress.
    The claim is committed at once (its own transaction), so a concurrent
    duplicate sees it: on PostgreSQL the second INSERT waits for the first and
    then fails on the unique constraint.
    """
    for _attempt in range(2):
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(
                    scope=scope,
                    key=key,
                    request_hash=request_hash,
                    endpoint=endpoint,
                    expires_at=IdempotencyRecord.default_expiry(),
                )
            return None
        except IntegrityError:
            record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
            if record is None:  # released between our insert and our read
                continue
            if record.expires_at <= timezone.now():
                IdempotencyRecord.objects.filter(pk=record.pk, expires_at__lte=timezone.now()).delete()
                continue
            if record.request_hash != request_hash:
                raise ConflictError(messages.TRACE_ID_REUSED) from None
            if record.state == IdempotencyRecord.State.IN_PROGRESS:
                raise ConflictError(messages.TRACE_ID_IN_PROGRESS) from None
            return StoredResponse(status=record.response_status or 200, body=record.response_body)
    raise ConflictError(messages.TRACE_ID_IN_PROGRESS)


def idempotency_complete(*, scope: str, key: str, status: int, body: str) -> None:
    IdempotencyRecord.objects.filter(scope=scope, key=key).update(
        state=IdempotencyRecord.State.DONE, response_status=status, response_body=body
    )


def idempotency_release(*, scope: str, key: str) -> None:
    """Forget a claim whose request failed in a way a retry may fix (5xx, a busy scope)."""
    IdempotencyRecord.objects.filter(scope=scope, key=key, state=IdempotencyRecord.State.IN_PROGRESS).delete()


def idempotency_purge_expired() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


# --- import jobs ------------------------------------------------------------


def import_job_create(
    *,
    kind: str,
    scope: str,
    total: int = 0,
    client: ApiClient | None = None,
    source: str = "",
    trace_id: str = "",
    body_sha256: str = "",
    body_size: int = 0,
    body_file: Any = None,
    staged_path: str = "",
) -> ImportJob:
    """Queue an import. Raises ConflictError when one of the same kind and scope is
    already queued or running (the database's partial unique index decides)."""
    job = ImportJob(
        kind=kind,
        scope=scope,
        progress_total=total,
        client=client,
        source=source,
        trace_id=trace_id,
        body_sha256=body_sha256,
        body_size=body_size,
        staged_path=staged_path,
    )
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:
        raise ConflictError(messages.IMPORT_RUNNING.format(kind=kind, scope=scope)) from None
    if body_file is not None:
        body_file.seek(0)
        job.raw_body.save("body.json", body_file, save=False)
        ImportJob.objects.filter(pk=job.pk).update(raw_body=job.raw_body.name)
    return job


def import_job_start(*, job_id: int) -> ImportJob | None:
    """Mark a queued job running and count the attempt. Returns None if the job is
    already finished (a re-delivered task must not apply it twice)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status not in ImportJob.ACTIVE_STATUSES:
            return None
        job.status = ImportJob.Status.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["status", "attempts", "started_at"])
    return job


def import_job_progress(*, job_id: int, done: int) -> None:
    ImportJob.objects.filter(pk=job_id).update(progress_done=done)


def import_job_succeed(*, job: ImportJob, counts: dict[str, int]) -> None:
    """Must run inside the transaction that applied the import, so that the job
    reads succeeded exactly when the data is there."""
    job.status = ImportJob.Status.SUCCEEDED
    job.counts = counts
    job.progress_done = job.progress_total
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "counts", "progress_done", "finished_at"])


def import_job_fail(
    *, job_id: int, message: str, errors: list[dict[str, Any]] | None = None, error_count: int = 0
) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.FAILED,
        message=message[:5000],
        errors=errors or [],
        error_count=error_count,
        finished_at=timezone.now(),
    )


def import_job_queue(
    *,
    kind: str,
    scope: str,
    staged: StagedFile,
    task: Any,
    body: Any,
    body_sha256: str,
    body_size: int,
    client: ApiClient | None = None,
    trace_id: str = "",
    source: str = "api",
    enqueue: bool = True,
) -> ImportJob:
    """Record an import job for a staged report (ConflictError if one of the same
    kind and scope is active), keep its raw body, and queue ``task(job.pk)`` once
    the job is committed. ``enqueue=False``: the caller runs it itself."""
    try:
        job = import_job_create(
            kind=kind,
            scope=scope,
            total=staged.rows,
            client=client,
            source=source,
            trace_id=trace_id,
            body_sha256=body_sha256,
            body_size=body_size,
            body_file=body,
            staged_path=str(staged.path.relative_to(settings.MEDIA_ROOT)),
        )
    except BaseException:
        staged.path.unlink(missing_ok=True)
        raise
    if enqueue:
        transaction.on_commit(lambda: _enqueue_import(task=task, job=job))
    return job


def _enqueue_import(*, task: Any, job: ImportJob) -> None:
    """Queue the task; if the broker refuses, fail the job at once so that it does
    not block its scope, and let the error reach the caller (who may retry)."""
    try:
        task.delay(job.pk)
    except Exception as exc:
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            import_job_fail(job_id=job.pk, message=f"Could not queue the import: {type(exc).__name__}: {exc}")
        raise


def import_job_fail_stale(*, older_than: timedelta) -> int:
    """Fail jobs queued or running for longer than any task may run: their worker
    and its message are gone (e.g. a broker restart), and they would otherwise
    block their scope for ever. Their data was never applied (the apply is one
    transaction), so failing them loses nothing."""
    cutoff = timezone.now() - older_than
    return (
        ImportJob.objects.active()
        .filter(created_at__lt=cutoff)
        .update(
            status=ImportJob.Status.FAILED,
            message="Abandoned: no worker finished it in time.",
            finished_at=timezone.now(),
        )
    )


def import_job_record_rejection(
    *,
    kind: str,
    error: ValidationFailed,
    body: Any,
    body_sha256: str,
    body_size: int,
    client: ApiClient | None = None,
    trace_id: str = "",
    source: str = "api",
) -> ImportJob:
    """Keep a rejected report for audit as a failed job; no business data changes."""
    job = import_job_create(
        kind=kind,
        scope="rejected",
        client=client,
        source=source,
        trace_id=trace_id,
        body_sha256=body_sha256,
        body_size=body_size,
        body_file=body,
    )
    import_job_fail(job_id=job.pk, message=str(error.message), errors=error.errors, error_count=error.error_count)
    return job


IMPORT_MAX_ATTEMPTS = 3


def _lock_import_job(job_id: int) -> None:
    """Serialise deliveries of the same job: a re-delivered task waits here for a
    still-running first delivery and then finds the job finished."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7301, job_id])


def import_job_run(
    *,
    job_id: int,
    apply: Callable[[ImportJob, Callable[[int], None]], dict[str, int]],
    on_progress: Callable[[int], None] | None = None,
) -> ImportJob | None:
    """Run ``apply(job, progress)`` for a queued job inside one transaction and mark
    the job succeeded in that same transaction.

    Any failure rolls everything back (the previous data stays exactly as it
    was) and marks the job failed. A job that is already finished is not applied
    again (returns None): a re-delivered task is harmless. A job whose earlier
    attempts died (killed worker) is retried from its staged file, up to
    IMPORT_MAX_ATTEMPTS times.
    """
    job = import_job_start(job_id=job_id)
    if job is None:
        return None
    if job.attempts > IMPORT_MAX_ATTEMPTS:
        import_job_fail(job_id=job_id, message=f"Gave up after {IMPORT_MAX_ATTEMPTS} attempts.")
        return None
    reporter = ProgressReporter(job.pk)

    def progress(done: int) -> None:
        reporter.update(done)
        if on_progress is not None:
            on_progress(done)

    try:
        with transaction.atomic():
            _lock_import_job(job.pk)
            if not ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).exists():
                return None
            counts = apply(job, progress)
            import_job_succeed(job=job, counts=counts)
    except Exception as exc:
        logger.exception("Import %s (%s %s) failed", job.public_id, job.kind, job.scope)
        import_job_fail(job_id=job.pk, message=f"{type(exc).__name__}: {exc}")
        job.refresh_from_db()
        return job
    finally:
        reporter.close()
    if job.staged_path:
        (Path(settings.MEDIA_ROOT) / job.staged_path).unlink(missing_ok=True)
    return job
