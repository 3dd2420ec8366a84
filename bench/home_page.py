#!/usr/bin/env python
"""Benchmark of the admin home page (/admin/) with a million invoices.

1. creates its own PostgreSQL database (``finhub_bench_home``; dropped first if a
   previous run left it), migrates it and loads the demo data;
2. adds ``--invoices`` invoices (default 1,000,000) over two years and three
   currencies and ``--ap-lines`` open items to the current AP snapshot with
   INSERT ... SELECT, then rewrites the invoice aggregate table as an import
   does (timed: the import pays for the home page's speed); VACUUM ANALYZE;
3. signs in a superuser and GETs /admin/ ``--requests`` times in this process
   (Django's test client: the view, its queries and the template, no network);
   prints the median, p95 and max time and the number of SQL queries, and
   checks the target (p95 < 300 ms);
4. drops the database, whatever happened.

Usage: ``python bench/home_page.py [--invoices 1000000] [--ap-lines 200000] [--requests 30]``
PostgreSQL is reached through ``BENCH_POSTGRES_URL`` (default
``postgres://postgres@127.0.0.1:5432/postgres``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "finhub_bench_home"
TARGET_P95_MS = 300


def admin_sql(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--ap-lines", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    admin_url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    admin_sql(admin_url, f'CREATE DATABASE "{DB_NAME}"')
    try:
        os.environ["DATABASE_URL"] = urlparse(admin_url)._replace(path=f"/{DB_NAME}").geturl()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
        os.environ.pop("CELERY_BROKER_URL", None)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        return run(args)
    finally:
        from django.db import connections

        connections.close_all()
        admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def run(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from apps.core.models import ImportJob
    from apps.invoices.services import invoice_year_totals_refresh

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("load_demo_data", stdout=quiet)
    year = timezone.localdate().year
    job = ImportJob.objects.create(kind="invoices", scope=str(year), status="succeeded")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO invoices_invoice (job_id, year, order_id, sap_order_id, invoice_id, amount, tax_amount,
                due_date, distribution_channel, delivery_note, currency, payer, reverse_mark, create_date, tax_rate,
                tax_code, invoice_date, order_item, reverse_id, invoice_type, amount_lc, currency_lc, tax_amount_lc,
                order_items, bill_to, row_hash)
            SELECT %s, y, 'O' || n, 'S' || n, 'B' || n, (n %% 5000) + 0.25, (n %% 900) + 0.05,
                make_date(y, 3, 1), '10', '', (ARRAY['EUR','USD','JPY'])[1 + n %% 3], 'P' || (n %% 5000), 0,
                make_date(y, 2, 1), 0.1, '', make_date(y, 1 + n %% 12, 1), '', '', 'M', (n %% 5000) + 0.25, 'EUR',
                (n %% 900) + 0.05, '[]', 'B', md5(n::text)
            FROM generate_series(1, %s) AS n, LATERAL (SELECT %s - (n %% 2) AS y) AS years
            """,
            [job.pk, args.invoices, year],
        )
        cursor.execute("SELECT id FROM ap_balance_snapshot WHERE is_current")
        snapshot_id = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO ap_balance_snapshotline (snapshot_id, company_code, sap_dealer_code, invoice_id, open_balance,
                currency, fiscal_year, invoicing_reference, clearing_identification, clear_amount, amount_lc,
                voucher_no, currency_lc, due_date, row_hash)
            SELECT %s, '1000', 'D' || (n %% 3000), 'BENCH-' || n, (n %% 7000) + 0.5, (ARRAY['EUR','USD'])[1 + n %% 2],
                '2026', '', 'N', NULL, (n %% 7000) + 0.5, '', 'EUR', CURRENT_DATE - (n %% 200), md5(n::text)
            FROM generate_series(1, %s) AS n
            """,
            [snapshot_id, args.ap_lines],
        )
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    for each in (year, year - 1):
        invoice_year_totals_refresh(year=each)
    refresh = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's host
    user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-pw-12345")
    client = Client()
    client.force_login(user)
    assert client.get("/admin/").status_code == 200  # warm-up: the process's first request
    cache.clear()
    started = time.perf_counter()
    assert client.get("/admin/").status_code == 200  # cold: fills the ageing cache of the snapshot and day
    cold = (time.perf_counter() - started) * 1000
    times = []
    queries: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get("/admin/")
    for _ in range(args.requests):
        started = time.perf_counter()
        response = client.get("/admin/")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(f"invoices {args.invoices:,}, AP lines {args.ap_lines:,} (+ demo data); loaded in {loaded:.1f} s")
    print(f"aggregate refresh of two years (paid by each import): {refresh * 1000:.0f} ms")
    print(
        f"GET /admin/ x{args.requests}: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
        f"max {times[-1]:.1f} ms, {len(queries)} SQL queries; "
        f"first request of a new snapshot or day (ageing not cached yet): {cold:.0f} ms"
    )
    ok = p95 < TARGET_P95_MS
    print(f"target p95 < {TARGET_P95_MS} ms: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
