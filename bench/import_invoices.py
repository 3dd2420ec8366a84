"""Invoice import bench: finhub end to end against a raw PostgreSQL COPY.

    python bench/import_invoices.py N [--replace] [--replaces 10]

Generates N valid invoice rows of one year as a JSON body, then in one run:
  (r) a raw ``COPY`` of the same rows into a bare table with a primary key,
      UNIQUE (year, invoice_id) and one more index (payer), maintained row by row;
  (f) finhub end to end: the body POSTed over HTTP to gunicorn (one worker),
      validated and staged there, applied by a Celery worker (solo pool), timed
      from the POST's first byte to the committed year: a first import;
  (p) with --replace: the replace of that year by a same-size report (1% of the
      rows changed, 1% new), then --replaces more replaces of the same year,
      printing the invoice table's size after each (it must not grow);
and prints rows/s of each, the ratios f/r and p/r, and the peak RSS (VmHWM) of
the web and the worker process. Every timed phase starts after a CHECKPOINT
(no phase pays for an earlier one's writes). Uses its own database (BENCH_DATABASE_URL,
default finhub_bench_invoices on 127.0.0.1, recreated) and the broker of
BENCH_BROKER_URL / CELERY_BROKER_URL (a private queue on it).
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

from bench._common import bench_database_url, recreate_database, setup_django
from bench._import_run import (
    Services,
    api_token,
    import_over_http,
    mib,
    phases,
    raw_copy,
    relation_size,
    staged_copy_text,
)

CURRENCIES = ["EUR", "USD", "GBP", "CNY", "JPY"]
PATH = "/inventory-server/api/invoice/report/info"


def write_rows(path: Path, n: int, year: int, *, variant: int = 0) -> None:
    """N rows of ``year``; ``variant`` > 0 changes the amount of 1% of the rows
    and replaces another 1% by new invoices (as a real re-send of a year does)."""
    rng = random.Random(42)
    with path.open("w") as out:
        out.write("[")
        for i in range(n):
            day = 1 + rng.randrange(28)
            month = 1 + rng.randrange(12)
            amount = rng.randrange(1, 10_000_000) / 100
            invoice_no = i
            if variant and i % 100 == 1:
                amount = round(amount + variant, 2)  # a float sum may grow more places
            if variant and i % 100 == 2:
                invoice_no = n * (variant + 1) + i
            row = {
                "orderId": f"SO-{year}-{i:07d}",
                "sapOrderId": f"{10_000_000 + i:010d}",
                "invoiceId": f"{90_000_000 + invoice_no:010d}",
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, nargs="?", default=100_000)
    parser.add_argument("--replace", action="store_true", help="also time replacing the year (p) and its table size")
    parser.add_argument("--replaces", type=int, default=10, help="replaces after (p) whose table size is printed")
    args = parser.parse_args()

    url = bench_database_url("finhub_bench_invoices")
    recreate_database(url)
    with tempfile.TemporaryDirectory(prefix="finhub-bench-") as workdir:
        media = str(Path(workdir) / "media")
        setup_django(url, media)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        first = Path(workdir) / "invoices.json"
        started = time.perf_counter()
        write_rows(first, args.n, 2024)
        print(f"generated {args.n} rows ({first.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f}s")
        # Every body is written before anything is timed, and flushed to disk: the
        # kernel writing back the bench's own files must not slow a timed phase.
        bodies = []
        if args.replace:
            for variant in (1, 2):
                body = Path(workdir) / f"invoices-{variant}.json"
                write_rows(body, args.n, 2024, variant=variant)
                bodies.append(body)
        os.sync()

        copy_text = Path(workdir) / "raw.tsv"
        columns = staged_copy_text(kind="invoices", body=first, out=copy_text, suffix=b"\t0\n")
        os.sync()
        r_seconds = raw_copy(
            create=[
                "CREATE TABLE bench_raw (LIKE invoices_invoice INCLUDING DEFAULTS)",
                "ALTER TABLE bench_raw ADD PRIMARY KEY (id)",
                "ALTER TABLE bench_raw ADD UNIQUE (year, invoice_id)",
                "CREATE INDEX ON bench_raw (payer)",
            ],
            table="bench_raw",
            columns=[*columns, "job_id"],
            copy_text=copy_text,
        )
        copy_text.unlink()

        token = api_token()
        services = Services(db_url=url, media_root=media).start()
        try:
            f_seconds, job = import_over_http(services, PATH, token, first)
            p_seconds = None
            sizes: list[tuple[float, int]] = []
            if args.replace:
                p_seconds, replaced = import_over_http(services, PATH, token, bodies[0])
                print(f"(p) counts: {replaced['counts']}; {phases(replaced)}")
                print(f"table size after the first import and (p): {mib(relation_size('invoices_invoice'))}")
                for number in range(1, args.replaces + 1):
                    seconds, again = import_over_http(services, PATH, token, bodies[number % 2])
                    sizes.append((seconds, relation_size("invoices_invoice")))
                    print(f"replace {number:2d}: {seconds:6.2f}s, table size {mib(sizes[-1][1])}; {phases(again)}")
            peaks = services.peaks()
        finally:
            services.stop()

    r_rate = args.n / r_seconds
    f_rate = args.n / f_seconds
    print(f"rows: {args.n}")
    print(
        f"(r) raw COPY into a table with PK, UNIQUE (year, invoice_id), INDEX (payer): {r_seconds:.2f}s, {r_rate:,.0f} rows/s"
    )
    print(f"(f) finhub first import, HTTP body to committed year: {f_seconds:.2f}s, {f_rate:,.0f} rows/s")
    print(f"ratio f/r: {f_rate / r_rate:.2f}")
    if p_seconds is not None:
        p_rate = args.n / p_seconds
        print(f"(p) finhub replace of a same-size year: {p_seconds:.2f}s, {p_rate:,.0f} rows/s")
        print(f"ratio p/r: {p_rate / r_rate:.2f}")
        if sizes:
            grew = sizes[-1][1] - sizes[0][1]
            print(f"table size over {len(sizes)} replaces: {mib(sizes[0][1])} -> {mib(sizes[-1][1])} ({grew:+,} bytes)")
    print(f"peak RSS: web {mib(peaks['web'])}, worker {mib(peaks['worker'])}")
    print(f"first import counts: {job['counts']}; {phases(job)}")


if __name__ == "__main__":
    main()
