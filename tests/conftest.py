"""Shared fixtures: API clients and KDP headers, a per-test media root, and the
markers that need real services (postgres, worker) skipped when those are absent."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from apps.core.scopes import scopes_implied_by_sys
from apps.core.services import ClientCredentials, api_client_create, api_token_issue
from tests.worker import CeleryWorkerProcess


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = connection.vendor == "postgresql"
    has_broker = bool(settings.CELERY_BROKER_URL)
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))
        if "worker" in item.keywords and not (on_postgres and has_broker):
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL)"))


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _empty_throttles() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def sap_client(db: None) -> ClientCredentials:
    return api_client_create(name="SAP PP", sys="pp", scopes=scopes_implied_by_sys("pp"))


@pytest.fixture
def sap_token(sap_client: ClientCredentials) -> str:
    return api_token_issue(app_key=sap_client.app_key, app_secret=sap_client.app_secret).token


class KdpCaller:
    """Posts to KDP endpoints with valid headers unless a test overrides them."""

    def __init__(self, client: Any, token: str) -> None:
        self.client = client
        self.token = token

    def headers(self, **overrides: Any) -> dict[str, str]:
        headers = {
            "HTTP_TOKEN": self.token,
            "HTTP_SYS": "pp",
            "HTTP_TRACEID": str(uuid.uuid4()),
            "HTTP_DEVICETYPE": "1",
            "HTTP_LANG": "en",
            "HTTP_UID": "1",
        }
        for key, value in overrides.items():
            meta = "HTTP_" + key.upper()
            if value is None:
                headers.pop(meta, None)
            else:
                headers[meta] = value
        return headers

    def post(
        self,
        path: str,
        body: Any,
        *,
        content_type: str = "application/json;charset=utf-8",
        raw: bytes | None = None,
        **headers: Any,
    ) -> Any:
        data = raw if raw is not None else json.dumps(body, default=str).encode()
        return self.client.generic("POST", path, data, content_type=content_type, **self.headers(**headers))


@pytest.fixture
def kdp(client: Any, sap_token: str) -> KdpCaller:
    return KdpCaller(client, sap_token)


@pytest.fixture
def client_for_reads(client: Any, sap_token: str) -> Any:
    """A test client that reads /api/v1 as an API client (``Authorization: Token``)."""
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {sap_token}"
    return client


@pytest.fixture
def celery_worker_process(transactional_db: None, settings: Any, tmp_path: Any) -> Iterator[CeleryWorkerProcess]:
    """A real Celery worker (subprocess) on the test database and broker, consuming a
    private queue; tasks sent from the test (``.delay()``, ``apply_async``) go to that
    queue and are not run eagerly. ``.pid``, ``.kill()``, ``.stop()`` and ``.start()``
    let a test kill the worker mid-task and start it again; start it again with
    ``CELERY_BROKER_VISIBILITY_TIMEOUT="1"`` to have the killed task redelivered at
    once (see tests/core/test_worker.py). Always terminated after the test. Use
    with ``@pytest.mark.worker``."""
    from config.celery_app import app

    worker = CeleryWorkerProcess(log_dir=tmp_path, media_root=settings.MEDIA_ROOT)
    saved = {key: app.conf[key] for key in ("task_always_eager", "task_default_queue")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.task_default_queue = worker.queue
    try:
        yield worker.start()
    finally:
        worker.stop()
        app.conf.update(saved)
        worker.delete_queue()
