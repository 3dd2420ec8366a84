"""Writes of the platform: API clients, tokens, idempotency keys (import jobs: apps.core.importing)."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core import messages
from apps.core.bounds import BoundsError, field_bounds
from apps.core.exceptions import AuthenticationError, ConflictError, ValidationFailed
from apps.core.models import ApiClient, ApiToken, IdempotencyRecord
from apps.core.scopes import ApiScope

logger = logging.getLogger(__name__)


def token_digest(raw_token: str) -> str:
    """Tokens are 256-bit random values, so one SHA-256 round is enough to store them
    safely while still allowing a lookup by digest."""
    return hashlib.sha256(raw_token.encode()).hexdigest()


_DUMMY_PASSWORD_HASH: list[str] = []


def password_check_dummy(password: str) -> None:
    """The hashing work of checking a real password, for an unknown appKey or user
    name: the answer takes as long whether or not the key or user exists."""
    if not _DUMMY_PASSWORD_HASH:
        _DUMMY_PASSWORD_HASH.append(make_password(secrets.token_urlsafe(16)))
    check_password(password, _DUMMY_PASSWORD_HASH[0])


@dataclass(frozen=True)
class ClientCredentials:
    client: ApiClient
    app_key: str
    app_secret: str


def api_scopes_clean(scopes: Iterable[str]) -> list[str]:
    """The grants, each one a known scope (ValidationFailed otherwise), sorted, once each."""
    unknown = sorted(set(scopes) - set(ApiScope.values))
    if unknown:
        raise ValidationFailed(
            messages.SCOPE_UNKNOWN.format(scopes=", ".join(unknown), known=", ".join(ApiScope.values))
        )
    return sorted(set(scopes))


@transaction.atomic
def api_client_create(*, name: str, sys: str, is_active: bool = True, scopes: Iterable[str] = ()) -> ClientCredentials:
    """Create an API client with explicit grants (none by default). The secret is
    returned once and only its hash is kept. ``name`` and ``sys`` are bounded by
    their columns (no control characters): ValidationFailed naming the field."""
    errors = []
    for field, value in (("name", name), ("sys", sys)):
        try:
            field_bounds(ApiClient, field).text(value, field=field)
        except BoundsError as exc:
            errors.append(exc.as_error())
    if errors:
        raise ValidationFailed(errors[0]["message"], errors=errors)
    app_key = secrets.token_hex(16)
    app_secret = secrets.token_urlsafe(32)
    client = ApiClient.objects.create(
        name=name,
        sys=sys,
        is_active=is_active,
        scopes=api_scopes_clean(scopes),
        app_key=app_key,
        app_secret_hash=make_password(app_secret),
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
    if client is None:
        password_check_dummy(app_secret)
        raise AuthenticationError(messages.CREDENTIALS_INVALID)
    if not check_password(app_secret, client.app_secret_hash):
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
