#!/usr/bin/env python
"""Benchmark of GET /v2/purchases (KashFlow list) against a trivial authenticated
/v2 endpoint (GET /v2/sessiontoken), on the same gunicorn server; also a
filtered list as an incremental per-supplier sync asks for it (supplierCode,
issuedatefrom), reported beside.

What it does, and undoes:

1. creates its own PostgreSQL database (``finhub_bench_purchases``; dropped first
   if a previous run left it), migrates it;
2. loads 100,000 purchases x 3 lines with COPY (totals computed by the same
   service as the API), a user and a long-lived KfToken; VACUUM ANALYZE;
3. starts gunicorn on 127.0.0.1 on a free port;
4. warms both endpoints up, then sends a fixed number of requests to each from
   a bounded thread pool of keep-alive http.client connections (one per
   gunicorn worker by default), alternating the two in slices so background
   load weighs on both alike; prints requests/s, p50 and p99 of each;
5. prints the ratio list rps / trivial rps and checks the targets
   (ratio >= 0.5, list p99 < 50 ms);
6. stops gunicorn and drops the database, whatever happened.

Usage: ``python bench/purchases_list.py [--purchases 100000] [--requests 3000]``
PostgreSQL is reached through ``BENCH_POSTGRES_URL`` (default
``postgres://postgres@127.0.0.1:5432/postgres``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "finhub_bench_purchases"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_connect(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(url, autocommit=True)


def create_database(admin_url: str) -> str:
    with admin_connect(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    parsed = urlparse(admin_url)
    return parsed._replace(path=f"/{DB_NAME}").geturl()


def drop_database(admin_url: str) -> None:
    with admin_connect(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def setup_django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DJANGO_DEBUG"] = "False"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def load(purchases: int) -> str:
    """Load the data; return a long-lived KfToken."""

    from django.core.management import call_command
    from django.db import connection

    from apps.purchases.demo import load_demo_data
    from apps.purchases.models import NominalAccount, Purchase, Supplier
    from apps.purchases.pricing import compute_totals, line_vat
    from apps.purchases.sessions import issue_long_lived_token, kashflow_user_create

    call_command("migrate", verbosity=0)
    load_demo_data()
    Purchase.objects.all().delete()  # the demo's own purchases: numbers and ids come from here
    rng = random.Random(42)
    words = ["Acme", "Brook", "Cedar", "Delta", "Ember", "Fjord", "Grove", "Harbor", "Iris", "Juniper", "Kestrel"]
    Supplier.objects.bulk_create(
        [Supplier(code=f"S{i:04d}", name=f"{rng.choice(words)} {rng.choice(words)} {i:04d} Ltd") for i in range(500)]
    )
    suppliers = list(Supplier.objects.values_list("pk", "code", "name"))
    nominal_ids = list(NominalAccount.objects.values_list("pk", flat=True))
    purchase_rows = io.StringIO()
    line_rows = io.StringIO()
    today = dt.datetime.now(tz=dt.UTC).date()
    line_id = 0
    for number in range(1, purchases + 1):
        supplier_id, supplier_code, supplier_name = rng.choice(suppliers)
        issued = today - dt.timedelta(days=rng.randint(0, 900))
        due = issued + dt.timedelta(days=30)
        lines = []
        for n in range(1, 4):
            quantity = Decimal(rng.randint(1, 20))
            rate = Decimal(rng.randint(100, 50000)) / 100
            vat_level = rng.choice([Decimal(0), Decimal(5), Decimal(20)])
            lines.append((n, quantity, rate, vat_level, line_vat(quantity, rate, vat_level, False)))
        paid_all = rng.random() < 0.5
        totals = compute_totals([(q, r, v) for _, q, r, _, v in lines], [], Decimal(1))
        paid = totals.gross if paid_all else Decimal(0)
        settlement = "paid" if paid_all else "open"
        paid_date = (issued + dt.timedelta(days=10)).isoformat() if paid_all else r"\N"
        purchase_rows.write(
            "\t".join(
                [
                    str(number),
                    str(number),
                    str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    str(supplier_id),
                    supplier_code,
                    supplier_name,
                    f"REF{number}",
                    issued.isoformat(),
                    due.isoformat(),
                    "GBP",
                    "1",
                    "",
                    "f",
                    "f",
                    "0",
                    str(totals.net),
                    str(totals.vat),
                    str(totals.gross),
                    str(totals.home_gross),
                    str(paid),
                    paid_date,
                    settlement,
                    "2026-01-01 00:00:00+00",
                    "2026-01-01 00:00:00+00",
                    "",
                ]
            )
            + "\n"
        )
        for n, quantity, rate, vat_level, vat in lines:
            line_id += 1
            line_rows.write(
                f"{line_id}\t{number}\t{n}\tItem {n} of {number}\t{quantity}\t{rate}\t{vat_level}\tf\t{vat}\t"
                f"{rng.choice(nominal_ids)}\t\\N\t\\N\t\tf\t\\N\n"
            )
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            "COPY purchases_purchase (id, number, uuid, supplier_id, supplier_code, supplier_name, supplier_reference, issued_date,"
            " due_date, currency_code, exchange_rate, additional_field_value, purchase_in_ec_member_state,"
            " is_wht_deduction_to_be_applied, file_count, net_amount, vat_amount, gross_amount,"
            " home_currency_gross_amount, total_paid_amount, paid_date, settlement, created_at, updated_at, project_name)"
            " FROM STDIN"
        ) as copy:
            copy.write(purchase_rows.getvalue())
        with raw.copy(
            "COPY purchases_purchaseline (id, purchase_id, number, description, quantity, rate, vat_level,"
            " vat_exempt, vat_amount, nominal_id, product_id, project_id, tax_code, stock_received,"
            " stock_received_on) FROM STDIN"
        ) as copy:
            copy.write(line_rows.getvalue())
        cursor.execute("SELECT setval('purchases_purchase_id_seq', (SELECT max(id) FROM purchases_purchase))")
        cursor.execute("SELECT setval('purchases_purchaseline_id_seq', (SELECT max(id) FROM purchases_purchaseline))")
    owner = kashflow_user_create(username="bench", password=secrets.token_urlsafe(16), memorable_word="benchmark")
    token = issue_long_lived_token(owner, label="bench")
    connection.close()
    return token


def vacuum(db_url: str) -> None:
    with admin_connect(db_url) as conn:
        conn.execute("VACUUM ANALYZE")


def start_gunicorn(db_url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "False",
        "DJANGO_LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "600",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn) if gunicorn.exists() else "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        "1",
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def wait_ready(port: int, token: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/v2/sessiontoken", headers={"Authorization": f"KfToken {token}"})
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not become ready")


def run(port: int, token: str, paths: list[str], concurrency: int) -> tuple[float, list[float]]:
    """Send every path once, ``concurrency`` at a time, each thread on its own
    keep-alive connection. Return (wall seconds, latencies in seconds)."""
    local = threading.local()
    headers = {"Authorization": f"KfToken {token}", "Accept": "application/json"}
    errors: list[str] = []

    def one(path: str) -> float:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
        except (http.client.HTTPException, OSError):
            conn.close()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
        elapsed = time.perf_counter() - start
        if response.status != 200:
            errors.append(f"{response.status} {path} {body[:200]!r}")
        return elapsed

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        latencies = list(pool.map(one, paths))
    wall = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, first: {errors[0]}")
    return wall, latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarize(name: str, wall: float, latencies: list[float], concurrency: int) -> dict[str, float]:
    result = {
        "rps": len(latencies) / wall,
        "p50": percentile(latencies, 0.50) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "mean": statistics.fmean(latencies) * 1000,
    }
    print(
        f"{name:<8} {len(latencies)} requests, concurrency {concurrency}: {result['rps']:.0f} req/s, "
        f"p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms (mean {result['mean']:.1f} ms)",
        flush=True,
    )
    return result


def compare(
    port: int, token: str, endpoints: dict[str, list[str]], concurrency: int, rounds: int
) -> dict[str, dict[str, float]]:
    """Warm up, then alternate the endpoints in ``rounds`` slices, so that any
    background load on the machine weighs on all of them alike."""
    for paths in endpoints.values():
        run(port, token, paths[: max(50, len(paths) // 10)], concurrency)
    totals: dict[str, list] = {name: [0.0, []] for name in endpoints}  # type: ignore[type-arg]
    for i in range(rounds):
        for name, paths in endpoints.items():
            size = -(-len(paths) // rounds)
            chunk = paths[i * size : (i + 1) * size]
            if chunk:
                wall, latencies = run(port, token, chunk, concurrency)
                totals[name][0] += wall
                totals[name][1].extend(latencies)
    return {name: summarize(name, wall, latencies, concurrency) for name, (wall, latencies) in totals.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--purchases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2))
    parser.add_argument(
        "--concurrency", type=int, default=0, help="Client threads (default: one per worker: saturated, no queueing)."
    )
    parser.add_argument("--perpage", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5, help="Slices in which the two endpoints alternate.")
    parser.add_argument("--keep-db", action="store_true", help="Leave the database for a look afterwards.")
    args = parser.parse_args()
    args.concurrency = args.concurrency or args.workers
    admin_url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")

    server: subprocess.Popen[bytes] | None = None
    db_url = create_database(admin_url)
    try:
        setup_django(db_url)
        started = time.perf_counter()
        token = load(args.purchases)
        vacuum(db_url)
        print(
            f"loaded {args.purchases} purchases x 3 lines in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        port = free_port()
        server = start_gunicorn(db_url, port, args.workers)
        wait_ready(port, token)
        print(f"gunicorn on 127.0.0.1:{port}, {args.workers} workers", flush=True)

        rng = random.Random(7)
        pages = max(1, args.purchases // args.perpage)
        trivial_paths = ["/v2/sessiontoken"] * args.requests
        list_paths = [
            f"/v2/purchases?perpage={args.perpage}&page={rng.randint(1, pages)}&sortby=SupplierName"
            for _ in range(args.requests)
        ]
        # An incremental per-supplier sync: one supplier code (as /v2/suppliers
        # gives it, mixed case) and an issued-date floor, among 500 x 6 lists.
        today = dt.datetime.now(tz=dt.UTC).date()
        since = [(today - dt.timedelta(days=d)).isoformat() for d in (30, 90, 180, 365, 540, 720)]
        filtered_paths = [
            f"/v2/purchases?supplierCode=s{rng.randrange(500):04d}&issuedatefrom={rng.choice(since)}&perpage={args.perpage}"
            for _ in range(args.requests)
        ]
        results = compare(
            port,
            token,
            {"trivial": trivial_paths, "list": list_paths, "filtered": filtered_paths},
            args.concurrency,
            args.rounds,
        )
        trivial, listing, filtered = results["trivial"], results["list"], results["filtered"]
        ratio = listing["rps"] / trivial["rps"]
        filtered_ratio = filtered["rps"] / trivial["rps"]
        print(f"ratio list/trivial rps: {ratio:.2f} (target >= 0.5)")
        print(f"list p99: {listing['p99']:.1f} ms (target < 50 ms)")
        print(f"filtered list (suppliercode + issuedatefrom): ratio {filtered_ratio:.2f}, p99 {filtered['p99']:.1f} ms")
        ok = ratio >= 0.5 and listing["p99"] < 50
        print("targets met" if ok else "targets NOT met")
        return 0 if ok else 1
    finally:
        if server is not None:
            try:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(server.pid, signal.SIGKILL)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not be set up
            pass
        if not args.keep_db:
            drop_database(admin_url)


if __name__ == "__main__":
    sys.exit(main())
