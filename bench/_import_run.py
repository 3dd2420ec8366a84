"""The end-to-end part of the import benches: finhub as it runs in production,
a gunicorn web process and a Celery worker (solo pool) on their own database and
broker, fed a report over HTTP; timed from the first byte of the POST to the
committed job, with the peak RSS (VmHWM) of each process."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench._common import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Read at import, before setup_django() clears CELERY_BROKER_URL for the bench's own process.
BROKER_URL = os.environ.get("BENCH_BROKER_URL") or os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/0"


def peak_rss(pid: int) -> int:
    """The process's peak resident set (VmHWM), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


@dataclass
class Services:
    """gunicorn (one sync worker) and a Celery worker on the bench database."""

    db_url: str
    media_root: str
    queue: str = ""
    web: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    port: int = 0

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.db_url,
            "CELERY_BROKER_URL": BROKER_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DJANGO_MEDIA_ROOT": self.media_root,
            "DJANGO_LOG_LEVEL": "WARNING",
            "BENCH_TASK_QUEUE": self.queue,
            "PYTHONPATH": str(ROOT),
        }

    def start(self) -> Services:
        self.queue = f"finhub-bench-{uuid.uuid4().hex[:8]}"
        self.port = free_port()
        bin_dir = Path(sys.executable).parent
        gunicorn = bin_dir / "gunicorn"
        self.web = subprocess.Popen(
            [str(gunicorn), "bench._import_wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "1", "--timeout", "3600", "--log-level", "warning"],
            cwd=ROOT, env=self.env(), start_new_session=True,
        )  # fmt: skip
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config.celery_app", "worker", "--pool=solo",
             "--loglevel=WARNING", "-Q", self.queue, "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=self.env(), start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        time.sleep(3)  # let the worker connect to the broker
        return self

    def web_worker_pid(self) -> int:
        import psutil

        assert self.web is not None
        children = psutil.Process(self.web.pid).children()
        return children[0].pid if children else self.web.pid

    def peaks(self) -> dict[str, int]:
        assert self.worker is not None
        return {"web": peak_rss(self.web_worker_pid()), "worker": peak_rss(self.worker.pid)}

    def stop(self) -> None:
        for process in (self.web, self.worker):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()


def post_report(port: int, path: str, token: str, body: Path) -> dict[str, Any]:
    """POST ``body`` (streamed from disk) as SAP does; returns the envelope."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    headers = {
        "Content-Type": "application/json;charset=utf-8",
        "Content-Length": str(body.stat().st_size),
        "sys": "pp",
        "token": token,
        "traceId": str(uuid.uuid4()),
        "lang": "en",
    }
    with body.open("rb") as stream:
        conn.request("POST", path, body=stream, headers=headers)
        response = conn.getresponse()
        payload = json.loads(response.read())
    conn.close()
    if response.status != 200:
        raise SystemExit(f"POST {path} answered {response.status}: {payload}")
    return payload


def wait_for_job(public_id: str, *, timeout: float = 3600) -> dict[str, Any]:
    """Poll the job until it is finished; returns its status and counts."""
    from apps.core.models import ImportJob

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = (
            ImportJob.objects.filter(public_id=public_id)
            .values("status", "counts", "message", "created_at", "started_at", "finished_at")
            .first()
        )
        if job and job["status"] in ("succeeded", "failed"):
            if job["status"] != "succeeded":
                raise SystemExit(f"import failed: {job['message']}")
            return job
        time.sleep(0.02)
    raise SystemExit("the import did not finish in time")


def checkpoint() -> None:
    """Write out every dirty buffer before a timed phase, so that no phase pays for
    the writes an earlier one left behind (a checkpoint falling inside one phase
    of one run moved the raw COPY's time by a third)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")


def import_over_http(services: Services, path: str, token: str, body: Path) -> tuple[float, dict[str, Any]]:
    """Seconds from the POST's first byte to the committed job, and the job (with
    ``answered``: seconds until the web process answered, and ``apply``: seconds
    the worker took)."""
    checkpoint()
    started = time.perf_counter()
    payload = post_report(services.port, path, token, body)
    answered = time.perf_counter() - started
    job = wait_for_job(payload["data"]["jobId"])
    elapsed = time.perf_counter() - started
    job["answered"] = answered
    job["apply"] = (job["finished_at"] - job["started_at"]).total_seconds()
    return elapsed, job


def phases(job: dict[str, Any]) -> str:
    return f"web answered after {job['answered']:.2f}s (receive, validate, stage), worker apply {job['apply']:.2f}s"


def api_token() -> str:
    from apps.core.scopes import ApiScope
    from apps.core.services import api_client_create, api_token_issue

    scopes = [ApiScope.INVOICES_WRITE, ApiScope.AP_BALANCE_WRITE]
    client = api_client_create(name=f"bench {uuid.uuid4().hex[:6]}", sys="pp", scopes=scopes)
    return api_token_issue(app_key=client.app_key, app_secret=client.app_secret).token


def relation_size(parent: str) -> int:
    """Bytes of a (partitioned) table: every partition with its indexes and TOAST."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0)
            FROM pg_class c WHERE c.oid = %s::regclass
               OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = %s::regclass)
            """,
            [parent, parent],
        )
        return int(cursor.fetchone()[0])


def raw_copy(*, create: list[str], table: str, columns: list[str], copy_text: Path) -> float:
    """(r): seconds to COPY ``copy_text`` into a fresh table made by ``create``
    (a primary key and the indexes, maintained row by row), in one committed
    transaction. The table is dropped afterwards."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in create:
            cursor.execute(statement)
    checkpoint()
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        copy_text.open("rb") as src,
    ):
        for chunk in iter(lambda: src.read(4 << 20), b""):
            copy.write(chunk)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")
    return elapsed


def staged_copy_text(*, kind: str, body: Path, out: Path, suffix: bytes) -> list[str]:
    """The report's rows as COPY text (finhub's own validator, untimed), each line
    ending with ``suffix`` (the constant columns); returns the column names."""
    from apps.core.importing.registry import get_importer
    from apps.core.importing.rows import RowValidator
    from apps.core.importing.staging import copy_line

    importer = get_importer(kind)
    report = importer.start(params={"allowEmpty": True})
    validator = RowValidator(fields=importer.fields, check_row=report.check_row)
    with body.open("rb") as src, out.open("wb") as dst:
        for values in validator.iter_valid(src):
            dst.write(copy_line(values).encode()[:-1] + suffix)
    return importer.staged_columns


def mib(value: int) -> str:
    return f"{value / 2**20:.0f} MiB"
