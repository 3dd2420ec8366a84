"""Throttles that hold across processes and cannot be dodged with a forged
X-Forwarded-For: a fixed window per identity in the shared cache, 429 with
Retry-After in each wire format's envelope."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.test import RequestFactory

from apps.core.scopes import ApiScope
from apps.core.services import api_client_create, api_token_issue
from apps.core.throttling import IpThrottle, client_ip
from tests.reconciliation.conftest import XunlianCaller, example_statement

TOKEN_URL = "/inventory-server/api/auth/token"


def _rates(settings: Any, **rates: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def _token_request(client: Any, app_key: str, **meta: str) -> Any:
    body = {"appKey": app_key, "appSecret": "wrong"}
    return client.post(TOKEN_URL, body, content_type="application/json", **meta)


@pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis"), reason="needs Redis (CELERY_BROKER_URL=redis://...)"
)
def test_the_limit_holds_across_two_throttle_instances_on_one_redis(settings):
    _rates(settings, kdp="25/h")
    prefix = f"test-{uuid.uuid4().hex}"
    # Two processes' worth of throttles: separate cache clients, one Redis.
    throttles = [IpThrottle(cache=RedisCache(settings.CELERY_BROKER_URL, {"KEY_PREFIX": prefix})) for _ in range(2)]

    class View:
        throttle_scope = "kdp"

    request = RequestFactory().post(TOKEN_URL, REMOTE_ADDR="203.0.113.7")
    allowed: list[bool] = []
    barrier = threading.Barrier(8)

    def worker(index: int) -> None:
        barrier.wait()
        for _ in range(10):
            allowed.append(throttles[index % 2].allow_request(request, View()))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 80
    assert allowed.count(True) == 25
    assert throttles[1].wait() is not None and throttles[1].wait() > 0


@pytest.mark.django_db
def test_a_forged_x_forwarded_for_does_not_dodge_the_limit(client, settings):
    _rates(settings, kdp="3/min")
    for n in range(3):
        response = _token_request(client, f"key-{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        assert response.status_code == 401
    throttled = _token_request(client, "key-9", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert throttled.status_code == 429
    assert throttled.json()["code"] == 429
    assert 1 <= int(throttled["Retry-After"]) <= 60


@pytest.mark.django_db
def test_x_forwarded_for_counts_only_with_trusted_proxies(client, settings):
    _rates(settings, kdp="3/min")
    settings.DJANGO_TRUSTED_PROXY_COUNT = 1
    for n in range(6):
        # Each caller is told apart by the address our one proxy appended.
        response = _token_request(client, f"key-{n}", HTTP_X_FORWARDED_FOR=f"6.6.6.6, 198.51.100.{n}")
        assert response.status_code == 401
    for _ in range(3):
        _token_request(client, "key-x", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.200")
    assert _token_request(client, "key-y", HTTP_X_FORWARDED_FOR="2.2.2.2, 198.51.100.200").status_code == 429


def test_client_ip_reads_only_what_trusted_proxies_wrote(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5, 10.0.0.2")
    settings.DJANGO_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.DJANGO_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.2"
    settings.DJANGO_TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "203.0.113.5"
    settings.DJANGO_TRUSTED_PROXY_COUNT = 5
    assert client_ip(request) == "6.6.6.6"


@pytest.mark.django_db
def test_the_token_endpoint_is_throttled_per_app_key_across_addresses(client, settings):
    _rates(settings, kdp="3/min")
    settings.DJANGO_TRUSTED_PROXY_COUNT = 1
    for n in range(3):
        assert _token_request(client, "one-key", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code == 401
    throttled = _token_request(client, "one-key", HTTP_X_FORWARDED_FOR="198.51.100.50")
    assert throttled.status_code == 429 and throttled["Retry-After"]


@pytest.mark.django_db
def test_the_xunlian_endpoint_answers_429_in_its_envelope(client, settings):
    _rates(settings, xunlian="2/min")
    gateway = api_client_create(name="Xunlian gateway", sys="xl", scopes=[ApiScope.RECONCILIATION_WRITE])
    xunlian = XunlianCaller(client, api_token_issue(app_key=gateway.app_key, app_secret=gateway.app_secret).token)
    for n in range(2):
        assert xunlian.post(example_statement(reconciliationNo=f"T-{n}")).json()["ok"] is True
    throttled = xunlian.post(example_statement(reconciliationNo="T-9"))
    assert throttled.status_code == 429
    body = throttled.json()
    assert body["ok"] is False and body["status"]["returnCode"] == "429"
    assert body["status"]["serviceCode"] == "THROTTLED"
    assert int(throttled["Retry-After"]) >= 1
