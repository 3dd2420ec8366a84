"""Throttles that hold across processes: a fixed-window counter per (scope,
identity) kept in the shared cache (Django's Redis cache when Redis is configured,
local memory on the embedded default), incremented atomically (``cache.incr``),
so that N gunicorn workers together let through at most the configured rate.

The client's address is ``REMOTE_ADDR`` unless ``DJANGO_TRUSTED_PROXY_COUNT``
proxies are trusted: then it is the address the outermost trusted proxy saw
(``X-Forwarded-For`` counted from the right), so a forged header changes nothing.

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` by scope. A view
throttles per IP and per client with the classes below (``throttle_scope``) and,
where the identity is only known from the body (an appKey, a user name), calls
``throttle_identity`` itself.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest
from rest_framework import exceptions as drf
from rest_framework.throttling import BaseThrottle

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"600/min"`` -> (600, 60)."""
    count, period = rate.split("/")
    return int(count), UNITS[period.strip()[0]]


def rate_of(scope: str) -> tuple[int, int]:
    return parse_rate(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope])


def client_ip(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or with ``DJANGO_TRUSTED_PROXY_COUNT`` = N
    the N-th address from the right of X-Forwarded-For (what our outermost trusted
    proxy saw). Anything a client writes further left is ignored."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    trusted = settings.DJANGO_TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    return forwarded[-min(trusted, len(forwarded))]


def throttle_cache() -> BaseCache:
    return caches[settings.THROTTLE_CACHE]


def window_hit(cache: BaseCache, scope: str, ident: str, *, limit: int, period: int) -> float | None:
    """Count one request of ``ident`` in the current window; the seconds to wait when
    it is over ``limit``, else None. ``add`` then ``incr`` are atomic in Redis and in
    the local-memory cache, so concurrent requests each get their own count."""
    now = time.time()
    window = int(now // period)
    key = f"throttle:{scope}:{ident}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=period + 1)
        count = 1
    if count > limit:
        return max(1.0, (window + 1) * period - now)
    return None


def throttle_identity(scope: str, ident: str, *, cache: BaseCache | None = None) -> None:
    """Count a request of ``ident`` (an appKey, a user name) under ``scope``; raise
    DRF's Throttled, which each wire format renders as its own 429 with Retry-After."""
    limit, period = rate_of(scope)
    wait = window_hit(cache or throttle_cache(), f"{scope}:id", ident, limit=limit, period=period)
    if wait is not None:
        raise drf.Throttled(wait=wait)


class SharedCacheThrottle(BaseThrottle):
    """Base: one fixed window per (view's throttle_scope, ident) in the shared cache."""

    kind = ""

    def __init__(self, cache: BaseCache | None = None) -> None:
        self.cache = cache
        self._wait: float | None = None

    def ident(self, request: Any, view: Any) -> str | None:
        raise NotImplementedError

    def allow_request(self, request: Any, view: Any) -> bool:
        scope = getattr(view, "throttle_scope", None)
        ident = self.ident(request, view)
        if not scope or ident is None:
            return True
        limit, period = rate_of(scope)
        cache = self.cache or throttle_cache()
        self._wait = window_hit(cache, f"{scope}:{self.kind}", ident, limit=limit, period=period)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


class IpThrottle(SharedCacheThrottle):
    """Per client address (see ``client_ip``)."""

    kind = "ip"

    def ident(self, request: Any, view: Any) -> str | None:
        return client_ip(request)


class ClientThrottle(SharedCacheThrottle):
    """Per authenticated caller (API client or user); nothing for anonymous calls."""

    kind = "client"

    def ident(self, request: Any, view: Any) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return str(user.pk)
