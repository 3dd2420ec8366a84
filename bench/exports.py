#!/usr/bin/env python
"""Benchmark of the admin's invoice exports at full size: rows/s and the peak RSS
of the process that builds each file.

1. creates its own PostgreSQL database (``finhub_bench_exports``; dropped first if
   a previous run left it), migrates it, and loads N invoices of one year with
   ``INSERT ... SELECT generate_series`` (payers, amounts, dates and types vary;
   one row in a thousand has a payer starting with "="), then ANALYZE;
2. CSV: a fresh process logs a superuser in and GETs the invoice list's
   **Export CSV** through Django's full request path (the view streams the rows
   from a server-side cursor), reading the streamed body to the end;
3. XLSX: a fresh process runs the Celery task's body for an ``ExportFile`` of the
   whole list (``export_file_build``: write-only openpyxl into a temporary file,
   then into the media storage), as the worker does;
4. prints rows, seconds, rows/s, peak RSS (``ru_maxrss`` of that process, which
   includes Django itself) and the file size, checks the targets (CSV >= 50,000
   rows/s; peak RSS <= 250 MB for both), and drops the database.

Usage: ``python bench/exports.py [N]`` (N default 1,000,000). PostgreSQL is
reached through ``BENCH_DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/finhub_bench_exports``).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, bench_database_url, migrate, recreate_database, setup_django

DATABASE = "finhub_bench_exports"
YEAR = 2023
CSV_MIN_ROWS_PER_SECOND = 50_000
MAX_PEAK_RSS_MB = 250

LOAD_SQL = """
INSERT INTO {table} (
    job_id, year, order_id, sap_order_id, invoice_id, amount, tax_amount, due_date, distribution_channel,
    delivery_note, currency, payer, reverse_mark, create_date, tax_rate, tax_code, invoice_date, order_item,
    reverse_id, invoice_type, amount_lc, currency_lc, tax_amount_lc, order_items, bill_to, row_hash
)
SELECT
    %(job)s, %(year)s, 'SO-' || g, lpad((10000000 + g)::text, 10, '0'), lpad((90000000 + g)::text, 10, '0'),
    ((g::bigint * 7919) %% 10000000) / 100.0, ((g::bigint * 7919) %% 10000000) / 500.0,
    make_date(%(year)s, 1, 1) + (g %% 365) + 30, '10', lpad((80000000 + g)::text, 10, '0'),
    (ARRAY['EUR', 'USD', 'GBP', 'CNY', 'JPY'])[1 + g %% 5],
    CASE WHEN g %% 1000 = 0 THEN '=HYPERLINK("http://x")' ELSE lpad((17000000 + g %% 5000)::text, 10, '0') END,
    (g %% 50 = 0)::int, make_date(%(year)s, 1, 1) + (g %% 365), 0.2, 'A1', make_date(%(year)s, 1, 1) + (g %% 365),
    '000010', '', (ARRAY['M', 'O', 'L', 'S'])[1 + g %% 4], ((g::bigint * 7919) %% 10000000) / 100.0, 'EUR',
    ((g::bigint * 7919) %% 10000000) / 500.0, '[]'::jsonb, lpad((17000000 + g %% 3000)::text, 10, '0'), md5(g::text)
FROM generate_series(1, %(rows)s) AS g
"""


def load(rows: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from apps.core.models import ImportJob
    from apps.invoices.models import Invoice

    job = ImportJob.objects.create(kind="invoices", scope=str(YEAR), status=ImportJob.Status.SUCCEEDED)
    with connection.cursor() as cursor:
        cursor.execute(LOAD_SQL.format(table=Invoice._meta.db_table), {"job": job.pk, "year": YEAR, "rows": rows})
        cursor.execute(f"ANALYZE {Invoice._meta.db_table}")
    get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-password-1")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def child_csv() -> dict[str, float]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username="bench"))
    started = time.perf_counter()
    response = client.get("/admin/invoices/invoice/export/csv/")
    assert response.status_code == 200 and response.streaming, response.status_code
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\r\n")
    seconds = time.perf_counter() - started
    return {"rows": lines - 1, "seconds": seconds, "bytes": size, "peak_rss_mb": peak_rss_mb()}


def child_xlsx() -> dict[str, float]:
    from django.contrib.auth import get_user_model

    from apps.core.exports.files import export_file_build
    from apps.core.models import ExportFile

    export = ExportFile.objects.create(
        model_label="invoices.Invoice",
        title="invoices bench",
        requested_by=get_user_model().objects.get(username="bench"),
    )
    started = time.perf_counter()
    export = export_file_build(export_id=export.pk)
    seconds = time.perf_counter() - started
    assert export.status == ExportFile.Status.SUCCEEDED, export.message
    return {"rows": export.progress_done, "seconds": seconds, "bytes": export.file.size, "peak_rss_mb": peak_rss_mb()}


def run_child(kind: str, url: str, media: str) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", kind, url, media], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"{kind} export failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, url, media = sys.argv[2:5]
        setup_django(url, media)
        print(json.dumps(child_csv() if kind == "csv" else child_xlsx()))
        return 0
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    url = bench_database_url(DATABASE)
    recreate_database(url)
    ok = True
    try:
        with tempfile.TemporaryDirectory(prefix="finhub-bench-exports-") as media:
            setup_django(url, media)
            migrate()
            started = time.perf_counter()
            load(rows)
            print(f"loaded {rows:,} invoices in {time.perf_counter() - started:.1f} s")
            from django.db import connections

            connections.close_all()
            for kind in ("csv", "xlsx"):
                result = run_child(kind, url, media)
                rate = result["rows"] / result["seconds"]
                print(
                    f"{kind.upper():4}  rows {int(result['rows']):>9,}  {result['seconds']:7.1f} s  "
                    f"{rate:>9,.0f} rows/s  peak RSS {result['peak_rss_mb']:6.1f} MB  "
                    f"file {result['bytes'] / 2**20:7.1f} MiB"
                )
                if result["rows"] != rows:
                    print(f"  FAIL: {int(result['rows'])} rows exported, {rows} expected")
                    ok = False
                if result["peak_rss_mb"] > MAX_PEAK_RSS_MB:
                    print(f"  FAIL: peak RSS above {MAX_PEAK_RSS_MB} MB")
                    ok = False
                if kind == "csv" and rate < CSV_MIN_ROWS_PER_SECOND:
                    print(f"  FAIL: CSV below {CSV_MIN_ROWS_PER_SECOND:,} rows/s")
                    ok = False
    finally:
        from django.db import connections

        connections.close_all()
        _drop(url)
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


def _drop(url: str) -> None:
    import psycopg

    base, _, dbname = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
