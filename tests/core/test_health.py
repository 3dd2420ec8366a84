"""/health/: the database and the broker answer, or 503 says which does not."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings

from config.celery_app import app as celery_app


@pytest.fixture
def broker_url(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Point the health check at a broker URL and turn eager mode off, as production does.
    (Celery reads CELERY_BROKER_URL from the environment before its own config.)"""
    saved = celery_app.conf.broker_url

    def use(url: str) -> None:
        settings.CELERY_BROKER_URL = url
        settings.CELERY_TASK_ALWAYS_EAGER = False
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        celery_app.conf.broker_url = url

    try:
        yield use
    finally:
        celery_app.conf.broker_url = saved


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_health_is_200_on_the_embedded_default(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True, "detail": body["checks"]["database"]["detail"]}
    assert body["checks"]["database"]["detail"] in {"sqlite", "postgresql"}
    assert body["checks"]["broker"]["ok"] is True


@pytest.mark.skipif(not django_settings.CELERY_BROKER_URL, reason="needs a broker (set CELERY_BROKER_URL)")
def test_health_is_200_when_the_broker_answers(client, db, broker_url):
    broker_url(django_settings.CELERY_BROKER_URL)
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == {"ok": True, "detail": "reachable"}


def test_health_is_503_when_the_broker_does_not_answer(client, db, broker_url):
    broker_url(f"redis://127.0.0.1:{closed_port()}/0")
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_health_needs_no_login(client, db):
    response = client.get("/health/", HTTP_AUTHORIZATION="Token nonsense")
    assert response.status_code in {200, 503}
    assert "status" in response.json()
