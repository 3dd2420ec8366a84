"""A real Celery worker process runs a task sent through the broker."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from celery.result import EagerResult
from django.utils import timezone

from apps.core.models import IdempotencyRecord
from apps.core.tasks import purge_expired_idempotency_records


def _record(key: str, *, expires_in: timedelta) -> IdempotencyRecord:
    return IdempotencyRecord.objects.create(
        scope="worker-test",
        key=key,
        request_hash="0" * 64,
        endpoint="/test",
        state=IdempotencyRecord.State.DONE,
        expires_at=timezone.now() + expires_in,
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_purges_expired_idempotency_records(celery_worker_process):
    expired = _record("expired", expires_in=timedelta(hours=-1))
    fresh = _record("fresh", expires_in=timedelta(hours=1))

    result = purge_expired_idempotency_records.delay()

    assert not isinstance(result, EagerResult), "the task must go through the broker"
    deadline = time.monotonic() + 20
    while IdempotencyRecord.objects.filter(pk=expired.pk).exists():
        assert time.monotonic() < deadline, celery_worker_process.log()
        time.sleep(0.1)
    assert IdempotencyRecord.objects.filter(pk=fresh.pk).exists()
    log = celery_worker_process.wait_for_log(f"{result.id}] succeeded", timeout=10)
    # The task's return value (records purged) is logged by the worker.
    succeeded = next(line for line in log.splitlines() if f"[{result.id}] succeeded" in line)
    assert "purge_expired_idempotency_records" in succeeded
    assert succeeded.endswith(": 1")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_can_be_killed_and_started_again(celery_worker_process):
    first_pid = celery_worker_process.pid
    celery_worker_process.kill()
    assert not celery_worker_process.is_running

    celery_worker_process.start()

    assert celery_worker_process.pid != first_pid
    expired = _record("expired-after-restart", expires_in=timedelta(minutes=-5))
    purge_expired_idempotency_records.delay()
    deadline = time.monotonic() + 20
    while IdempotencyRecord.objects.filter(pk=expired.pk).exists():
        assert time.monotonic() < deadline, celery_worker_process.log()
        time.sleep(0.1)


def _wait_for(path, worker, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared:\n{worker.log()}"
        time.sleep(0.1)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_killed_with_its_worker_is_delivered_again(celery_worker_process, tmp_path):
    """Tasks are acked late: a worker SIGKILLed mid-task leaves the message in the
    broker, and the next worker runs the task again."""
    from config.celery_app import app

    markers = tmp_path / "markers"
    markers.mkdir()
    app.send_task("tests.worker_tasks.record_attempts", args=[str(markers), 60])
    _wait_for(markers / "attempt-1", celery_worker_process)
    assert int((markers / "attempt-1").read_text()) == celery_worker_process.pid

    celery_worker_process.kill()
    assert not (markers / "done").exists()
    celery_worker_process.start(CELERY_BROKER_VISIBILITY_TIMEOUT="1")

    _wait_for(markers / "done", celery_worker_process)
    assert (markers / "done").read_text() == "2"
    assert int((markers / "attempt-2").read_text()) == celery_worker_process.pid
