"""Sign-in hardening of /v2/sessiontoken: the same work whether or not the user
exists, an atomic lockout counter (N concurrent wrong attempts: exactly the limit
checked), a lock that stops signing in but not the user's issued tokens, logged
and shown in the admin; throttled per user name and per address."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.core.services import api_client_create
from apps.purchases.models import KashflowUser
from apps.purchases.sessions import MAX_FAILED_ATTEMPTS
from tests.purchases.conftest import PASSWORD, USERNAME, KashflowClient

TOKEN_URL = "/inventory-server/api/auth/token"


def start(client: Any, username: str = USERNAME, password: str = PASSWORD, **meta: str) -> Any:
    return client.post(
        "/v2/sessiontoken", {"UserName": username, "Password": password}, content_type="application/json", **meta
    )


@pytest.fixture
def hash_checks(monkeypatch: Any) -> list[str]:
    calls: list[str] = []
    original = MD5PasswordHasher.verify

    def verify(self: Any, password: str, encoded: str) -> bool:
        calls.append(password)
        return original(self, password, encoded)

    monkeypatch.setattr(MD5PasswordHasher, "verify", verify)
    return calls


@pytest.mark.django_db
def test_an_unknown_user_name_costs_the_same_hashing(client, kf_user, hash_checks):
    assert start(client, password="wrong").status_code == 400
    known = len(hash_checks)
    hash_checks.clear()
    assert start(client, username="nobody-here", password="wrong").status_code == 400
    assert len(hash_checks) == known == 1


@pytest.mark.django_db
def test_an_unknown_app_key_costs_the_same_hashing(client, hash_checks):
    credentials = api_client_create(name="SAP", sys="pp")
    body = {"appKey": credentials.app_key, "appSecret": "wrong"}
    hash_checks.clear()
    assert client.post(TOKEN_URL, body, content_type="application/json").status_code == 401
    known = len(hash_checks)
    hash_checks.clear()
    body = {"appKey": "0" * 32, "appSecret": "wrong"}
    assert client.post(TOKEN_URL, body, content_type="application/json").status_code == 401
    assert len(hash_checks) == known == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_wrong_sign_ins_check_exactly_the_limit(kf_user, kf_token, demo, settings, hash_checks):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "kashflow_signin": "1000/min"},
    }
    hash_checks.clear()
    errors: list[str] = []
    barrier = threading.Barrier(20)

    def attempt() -> None:
        try:
            barrier.wait()
            response = start(Client(), password="wrong")
            errors.append(response.json()["Error"] if response.status_code == 400 else str(response.status_code))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 20
    assert errors.count("InvalidCredentials") == MAX_FAILED_ATTEMPTS
    assert errors.count("AccountLocked") == 20 - MAX_FAILED_ATTEMPTS
    assert len([p for p in hash_checks if p == "wrong"]) == MAX_FAILED_ATTEMPTS
    kf_user.refresh_from_db()
    assert kf_user.is_locked
    # The right password does not help while locked...
    assert start(Client()).json()["Error"] == "AccountLocked"
    # ...but the user's long-lived integration token still works.
    assert KashflowClient(Client(), kf_token).get("/v2/purchases").status_code == 200


@pytest.mark.django_db
def test_a_lock_does_not_block_issued_tokens(client, kf_user, kf_token, demo):
    for _ in range(MAX_FAILED_ATTEMPTS):
        assert start(client, password="wrong").json()["Error"] == "InvalidCredentials"
    assert start(client).json()["Error"] == "AccountLocked"
    kf_user.refresh_from_db()
    assert kf_user.is_locked and kf_user.api_access
    assert KashflowClient(client, kf_token).get("/v2/purchases").status_code == 200
    assert KashflowClient(client, kf_token).get("/v2/sessiontoken").status_code == 200


@pytest.mark.django_db
def test_the_lock_is_logged_and_shown_in_the_admin(client, kf_user, admin_client, caplog):
    with caplog.at_level(logging.WARNING, logger="finhub.kashflow.signin"):
        for _ in range(MAX_FAILED_ATTEMPTS):
            start(client, password="wrong", REMOTE_ADDR="203.0.113.9")
    assert [r.getMessage() for r in caplog.records if "locked until" in r.getMessage()] != []
    record = next(r for r in caplog.records if "locked until" in r.getMessage())
    assert USERNAME in record.getMessage() and "203.0.113.9" in record.getMessage()
    page = admin_client.get(reverse("admin:purchases_kashflowuser_changelist"), {"locked": "yes"})
    assert page.status_code == 200
    assert [str(owner) for owner in page.context["cl"].result_list] == [USERNAME]


@pytest.mark.django_db
def test_an_expired_lock_starts_a_new_series(client, kf_user, demo):
    for _ in range(MAX_FAILED_ATTEMPTS):
        start(client, password="wrong")
    KashflowUser.objects.filter(pk=kf_user.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert start(client).status_code == 201
    kf_user.refresh_from_db()
    assert kf_user.failed_attempts == 0 and kf_user.locked_until is None


@pytest.mark.django_db
def test_sign_in_is_throttled_per_user_name_across_addresses(client, kf_user, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "kashflow_signin": "3/min"},
    }
    for n in range(3):
        start(client, username="someone", password="x", REMOTE_ADDR=f"198.51.100.{n}")
    throttled = start(client, username="someone", password="x", REMOTE_ADDR="198.51.100.77")
    assert throttled.status_code == 429
    assert throttled.json()["Error"] == "TooManyRequests"
    assert int(throttled["Retry-After"]) >= 1
    # Another user from a fresh address is not affected.
    assert start(client, password="wrong", REMOTE_ADDR="198.51.100.78").status_code == 400
