"""Invoice import bench: finhub's end-to-end import against a raw PostgreSQL COPY.

    python bench/import_invoices.py N

Generates N valid invoice rows of one year as a JSON file, then in the same run
measures
  (a) a raw ``COPY`` of those rows into a table with the same indexes and
      constraints as the invoice table (``CREATE TABLE ... (LIKE ... INCLUDING ALL)``),
  (b) finhub's import of the same body end to end in a child process: digest of
      the body, streamed parse + validation, the import job with its raw body
      kept, and the atomic replace of the year (COPY, change counts, commit),
and prints rows/s for both, the ratio b/a and the peak RSS of (b).
Uses its own database (BENCH_DATABASE_URL, default finhub_bench_invoices on
127.0.0.1), recreated on every run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import bench_database_url, raw_copy_into_copy_of, recreate_database, run_child, setup_django

CURRENCIES = ["EUR", "USD", "GBP", "CNY", "JPY"]


def write_rows(path: Path, n: int, year: int) -> None:
    rng = random.Random(42)
    with path.open("w") as out:
        out.write("[")
        for i in range(n):
            day = 1 + rng.randrange(28)
            month = 1 + rng.randrange(12)
            amount = rng.randrange(1, 10_000_000) / 100
            row = {
                "orderId": f"SO-{year}-{i:07d}",
                "sapOrderId": f"{10_000_000 + i:010d}",
                "invoiceId": f"{90_000_000 + i:010d}",
                "amount": amount,
                "taxAmount": f"{amount * 0.2:.2f}",
                "dueDate": f"{year}{month:02d}{day:02d}",
                "distributionChannel": "10",
                "deliveryNote": f"{80_000_000 + i:010d}",
                "currency": CURRENCIES[i % len(CURRENCIES)],
                "payer": f"{17_000_000 + i % 5000:010d}",
                "reverseMark": 0,
                "createDate": f"{year}-{month:02d}-{day:02d}",
                "taxRate": 0.2,
                "taxCode": "A1",
                "invoiceDate": f"{year}{month:02d}{day:02d}",
                "orderItem": "000010",
                "reverseId": "",
                "invoiceType": "M",
                "amountLC": amount,
                "currencyLC": "EUR",
                "taxAmountLC": round(amount * 0.2, 2),
                "orderItems": [{"itemNo": "000010"}, {"itemNo": "000020"}],
                "billTo": f"{17_100_000 + i % 3000:010d}",
            }
            if i:
                out.write(",\n")
            out.write(json.dumps(row))
        out.write("]\n")


def child(path: str) -> None:
    """(b): runs in its own process so that its peak RSS is its own."""
    import hashlib

    import django

    django.setup()
    from apps.invoices.services import invoice_import_queue, invoice_report_stage, invoice_year_replace

    started = time.perf_counter()
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as body:
        for chunk in iter(lambda: body.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
        staged = invoice_report_stage(body=body)
        job = invoice_import_queue(
            staged=staged, body=body, body_sha256=digest.hexdigest(), body_size=size, source="bench", enqueue=False
        )
    job = invoice_year_replace(job_id=job.pk)
    elapsed = time.perf_counter() - started
    if job is None or job.status != "succeeded":
        raise SystemExit(f"import failed: {job and job.message}")
    print(json.dumps({"seconds": elapsed, "rows": staged.rows, "counts": job.counts}))


def raw_copy(staged_text: Path) -> float:
    """(a): COPY the same rows into an empty table shaped and indexed like invoices."""
    from apps.invoices.models import Invoice
    from apps.invoices.services import STAGED_COLUMNS

    return raw_copy_into_copy_of(
        table=Invoice._meta.db_table, columns=[*STAGED_COLUMNS, "job_id"], copy_text=staged_text
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, nargs="?", default=100_000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    url = bench_database_url("finhub_bench_invoices")
    recreate_database(url)
    with tempfile.TemporaryDirectory(prefix="finhub-bench-") as workdir:
        media = Path(workdir) / "media"
        setup_django(url, str(media))
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        body = Path(workdir) / "invoices.json"
        started = time.perf_counter()
        write_rows(body, args.n, 2024)
        print(f"generated {args.n} rows ({body.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f}s")

        # The same rows as COPY text, for (a): staged by finhub's own validator (untimed).
        from apps.invoices.services import invoice_report_stage

        with body.open("rb") as src:
            staged = invoice_report_stage(body=src)
        line_suffix = b"\t0\n"  # job_id column for the raw table
        copy_text = Path(workdir) / "raw.tsv"
        with staged.path.open("rb") as src, copy_text.open("wb") as dst:
            for line in src:
                dst.write(line[:-1] + line_suffix)
        staged.path.unlink()

        a_seconds = raw_copy(copy_text)
        env = dict(os.environ)
        b_seconds_wall, peak_rss, out = run_child([__file__, "--child", str(body)], env)
        result = json.loads(out.strip().splitlines()[-1])
        b_seconds = result["seconds"]

    a_rate = args.n / a_seconds
    b_rate = args.n / b_seconds
    print(f"rows: {args.n}")
    print(f"(a) raw COPY into an indexed copy of the table: {a_seconds:.2f}s, {a_rate:,.0f} rows/s")
    print(f"(b) finhub import end to end: {b_seconds:.2f}s, {b_rate:,.0f} rows/s (child wall {b_seconds_wall:.2f}s)")
    print(f"ratio b/a (rows/s): {b_rate / a_rate:.2f}")
    print(f"peak RSS of (b): {peak_rss / 2**20:.0f} MiB")
    print(f"job counts: {result['counts']}")


if __name__ == "__main__":
    main()
