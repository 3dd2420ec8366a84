"""Does the KDP throttle hold across web processes? Serves finhub with gunicorn
(2 workers by default) on 127.0.0.1 with the throttle counters in Redis (the
shared cache), fires token requests with wrong credentials from several threads,
some with a forged X-Forwarded-For, and counts how many got through (401) and
how many were throttled (429). With --rate N/min at most N may pass in one
minute window, whatever the number of workers (each passing request costs a
password hash, so a small rate keeps the run short).

    python bench/throttle_workers.py [--requests 2600] [--workers 2] [--rate 600/min]
    # BENCH_DATABASE_URL / BENCH_REDIS_URL: other servers on 127.0.0.1
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, bench_database_url, migrate, recreate_database, setup_django


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(db_url: str, redis_url: str, port: int, workers: int, rate: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "False",
        "DJANGO_LOG_LEVEL": "ERROR",
        "REDIS_URL": redis_url,
        "KDP_THROTTLE_RATE": rate,
        "DJANGO_TRUSTED_PROXY_COUNT": "0",
    }
    env.pop("CELERY_BROKER_URL", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    command += ["--log-level", "warning"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def post_token(port: int, forged: bool) -> int:
    headers = {"Content-Type": "application/json"}
    if forged:
        headers["X-Forwarded-For"] = f"198.51.100.{uuid.uuid4().int % 250}"
    body = json.dumps({"appKey": uuid.uuid4().hex, "appSecret": "wrong"})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", "/inventory-server/api/auth/token", body, headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2600)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--rate", default="600/min", help="KDP_THROTTLE_RATE of the servers")
    args = parser.parse_args()
    # A SIGTERM (e.g. from `timeout`) still stops the servers (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    db_url = bench_database_url("finhub_bench_throttle")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    recreate_database(db_url)
    setup_django(db_url, tempfile.mkdtemp())
    migrate()
    import redis

    def forget_counters() -> None:
        """Only the throttle counters: the Redis database may hold other things."""
        store = redis.Redis.from_url(redis_url)
        for key in store.scan_iter(match="finhub:*throttle:*"):
            store.delete(key)

    forget_counters()

    port = free_port()
    server = start_gunicorn(db_url, redis_url, port, args.workers, args.rate)
    statuses: Counter[int] = Counter()
    # Passed requests per fixed window (the throttle's window is the calendar minute
    # for a /min rate; client and servers share this machine's clock).
    passed_per_window: Counter[int] = Counter()
    lock = threading.Lock()
    try:
        wait_ready(port)
        forget_counters()
        remaining = iter(range(args.requests))

        def worker() -> None:
            for n in remaining:
                status = post_token(port, forged=n % 2 == 0)
                with lock:
                    statuses[status] += 1
                    if status == 401:
                        passed_per_window[int(time.time() // 60)] += 1

        started = time.monotonic()
        threads = [threading.Thread(target=worker) for _ in range(args.threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(
        f"{args.requests} token requests, half with a forged X-Forwarded-For, {args.workers} gunicorn workers, "
        f"{args.threads} threads, KDP_THROTTLE_RATE={args.rate}: {elapsed:.1f} s"
    )
    windows = ", ".join(str(count) for _, count in sorted(passed_per_window.items()))
    print(f"passed per minute window: {windows} (limit {args.rate})")
    print(
        f"passed (401 wrong credentials): {statuses[401]}, throttled (429): {statuses[429]}, other: "
        f"{ {k: v for k, v in statuses.items() if k not in (401, 429)} }"
    )


if __name__ == "__main__":
    main()
