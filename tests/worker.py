"""A real Celery worker in a subprocess, for tests that must see a task run outside
the test process (and survive a worker being killed).

The worker uses the test database pytest-django created and the test run's broker,
and consumes only its own queue (a fresh name per fixture), so stray messages of
earlier runs cannot reach it and its messages cannot reach anyone else.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection

READY_MARKER = " ready."
# Modules the test worker imports besides the apps' tasks.
TEST_TASK_MODULES = ["tests.worker_tasks"]


def database_url_of_current_connection() -> str:
    """The URL of the database this process is connected to (the *test* database
    once pytest-django has set it up), for a subprocess to connect to the same one."""
    cfg = connection.settings_dict
    if connection.vendor != "postgresql":
        raise RuntimeError("a worker subprocess needs PostgreSQL (an in-memory SQLite test database is private)")
    user = quote(cfg.get("USER") or "", safe="")
    password = quote(cfg.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = cfg.get("HOST") or "127.0.0.1"
    port = f":{cfg['PORT']}" if cfg.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(cfg['NAME'], safe='')}"


class CeleryWorkerProcess:
    """``celery -A config.celery_app worker`` consuming one private queue.

    ``start()`` / ``stop()`` / ``kill()`` may be called repeatedly: a test can
    SIGKILL the worker mid-task and start it again on the same queue.
    """

    def __init__(self, *, log_dir: Path, media_root: str, extra_env: dict[str, str] | None = None) -> None:
        self.queue = f"finhub-test-{uuid.uuid4().hex[:12]}"
        self.hostname = f"{self.queue}@localhost"
        self.log_dir = log_dir
        self.media_root = media_root
        self.extra_env = dict(extra_env or {})
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path: Path | None = None
        self.starts = 0

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError("the worker is not started")
        return self.process.pid

    @property
    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url_of_current_connection(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DJANGO_MEDIA_ROOT": str(self.media_root),
            # A test database must not keep connections open past the test.
            "CONN_MAX_AGE": "0",
            "PYTHONUNBUFFERED": "1",
        }
        env.update(self.extra_env)
        return env

    def start(self, *, timeout: float = 20.0, **extra_env: str) -> CeleryWorkerProcess:
        """Start the worker and wait until it consumes its queue."""
        if self.is_running:
            raise RuntimeError("the worker is already running")
        self.extra_env.update(extra_env)
        self.starts += 1
        self.log_path = self.log_dir / f"worker-{self.starts}.log"
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config.celery_app",
            "worker",
            "--pool=solo",  # the task runs in this very process: a SIGKILL kills it mid-task
            "--loglevel=INFO",
            "-Q",
            self.queue,
            "-n",
            self.hostname,
            *(arg for module in TEST_TASK_MODULES for arg in ("--include", module)),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_for_log(READY_MARKER, timeout=timeout)
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    def wait_for_log(self, text: str, *, timeout: float = 20.0) -> str:
        """Wait until the current run's log contains ``text``; fail early if the worker dies."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = self.log()
            if text in log:
                return log
            if not self.is_running:
                raise RuntimeError(f"the worker exited ({self.process and self.process.returncode}):\n{log}")
            time.sleep(0.1)
        raise TimeoutError(f"{text!r} not in the worker log after {timeout}s:\n{self.log()}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the worker (default SIGKILL: no cleanup, no ack) and reap it."""
        if not self.is_running:
            return
        assert self.process is not None
        os.kill(self.process.pid, sig)
        self.process.wait(timeout=15)

    def stop(self, *, timeout: float = 10.0) -> None:
        """Warm shutdown (SIGTERM); SIGKILL if it does not exit in time."""
        if not self.is_running:
            return
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def delete_queue(self) -> None:
        """Drop the private queue (and anything left in it) from the broker."""
        from config.celery_app import app

        queue = app.amqp.queues[self.queue]
        with app.connection_for_write() as conn:
            bound = queue.bind(conn.default_channel)
            bound.declare()  # so that this channel knows the bindings it must remove
            bound.delete()

    def __repr__(self) -> str:
        state: Any = self.process.pid if self.is_running and self.process else "stopped"
        return f"<CeleryWorkerProcess queue={self.queue} pid={state}>"


class TableLock:
    """Hold ``ACCESS EXCLUSIVE`` on a table from a connection of the test's own,
    so that a worker's import blocks at the first statement that reads it (its
    transaction open, its heartbeat beating) until the test kills the worker or
    releases the lock. This makes "kill it mid-apply" a fixed point instead of a
    race against how fast this machine builds indexes."""

    def __init__(self, table: str) -> None:
        from django.db import connections

        self.table = table
        self._conn = connections.create_connection("default")

    def __enter__(self) -> TableLock:
        self._conn.ensure_connection()
        self._conn.set_autocommit(False)
        with self._conn.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{self.table}" IN ACCESS EXCLUSIVE MODE')
        return self

    def release(self) -> None:
        if self._conn.connection is not None:
            self._conn.rollback()
            self._conn.close()

    def __exit__(self, *exc: object) -> None:
        self.release()
