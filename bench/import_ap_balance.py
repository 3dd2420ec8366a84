"""AP open-balance import bench: finhub end to end against a raw PostgreSQL COPY.

    python bench/import_ap_balance.py N [--previous] [--replaces 10]

Generates N valid AP open-balance rows as a JSON body, then in one run:
  (r) a raw ``COPY`` of the same rows into a bare table with a primary key,
      UNIQUE (snapshot, company code, dealer, invoinceId) and one more index
      (snapshot, due date), maintained row by row;
  (f) finhub end to end: the body POSTed over HTTP to gunicorn (one worker),
      validated and staged there, made the current snapshot by a Celery worker
      (solo pool), timed from the POST's first byte to the commit: a first import;
  (p) with --previous: a same-size report (1% changed, 1% new) replacing that
      current snapshot (totals, change counts against it), then --replaces more,
      printing the lines table's size after each (it grows by one snapshot each
      time: history is kept until ``prune_ap_snapshots``);
and prints rows/s of each, the ratios f/r and p/r, and the peak RSS (VmHWM) of
the web and the worker process. Every timed phase starts after a CHECKPOINT
(no phase pays for an earlier one's writes). Uses its own database (BENCH_AP_DATABASE_URL,
default finhub_bench_ap on 127.0.0.1, recreated) and the broker of
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

from bench._common import recreate_database, setup_django
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

PATH = "/inventory-server/api/invoice/report/ap/balance"

CURRENCIES = ["EUR", "USD", "GBP", "CNY", "JPY"]


def write_rows(path: Path, n: int, *, variant: int = 0) -> None:
    """N lines; ``variant`` > 0 changes 1% of the balances and replaces 1% of the lines."""
    rng = random.Random(42)
    with path.open("w") as out:
        out.write("[")
        for i in range(n):
            amount = rng.randrange(1, 10_000_000) / 100
            if variant and i % 100 == 1:
                amount = round(amount + variant, 2)  # a float sum may grow more places
            line_no = n * (variant + 1) + i if variant and i % 100 == 2 else i
            cleared = i % 10 == 0
            row = {
                "companyCode": "1000" if i % 3 else "2000",
                "sapDealerCode": f"{17_000_000 + i % 5000:010d}",
                "invoinceId": f"WR-{line_no:08d}",
                "openBalance": amount,
                "currency": CURRENCIES[i % len(CURRENCIES)],
                "fiscalYear": "2024",
                "invoicingReference": f"CLAIM-{i:08d}",
                "clearingIdentification": "Y" if cleared else "N",
                "clearAmount": amount if cleared else 0,
                "amountLC": f"{amount:.2f}" if i % 2 else amount,
                "voucherNo": f"{3_100_000_000 + i}",
                "currencyLC": "EUR",
                "dueDate": f"2024{1 + rng.randrange(12):02d}{1 + rng.randrange(28):02d}"
                if i % 2
                else f"2024-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}",
            }
            if i:
                out.write(",\n")
            out.write(json.dumps(row))
        out.write("]\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, nargs="?", default=100_000)
    parser.add_argument("--previous", action="store_true", help="also time replacing a same-size current snapshot (p)")
    parser.add_argument("--replaces", type=int, default=10, help="reports after (p) whose table size is printed")
    args = parser.parse_args()

    url = os.environ.get("BENCH_AP_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/finhub_bench_ap")
    recreate_database(url)
    with tempfile.TemporaryDirectory(prefix="finhub-bench-ap-") as workdir:
        media = str(Path(workdir) / "media")
        setup_django(url, media)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        first = Path(workdir) / "ap-balance.json"
        started = time.perf_counter()
        write_rows(first, args.n)
        print(f"generated {args.n} rows ({first.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f}s")
        # Every body is written before anything is timed, and flushed to disk: the
        # kernel writing back the bench's own files must not slow a timed phase.
        bodies = []
        if args.previous:
            for variant in (1, 2):
                body = Path(workdir) / f"ap-balance-{variant}.json"
                write_rows(body, args.n, variant=variant)
                bodies.append(body)
        os.sync()

        copy_text = Path(workdir) / "raw.tsv"
        columns = staged_copy_text(kind="ap_balance", body=first, out=copy_text, suffix=b"\t0\n")
        os.sync()
        r_seconds = raw_copy(
            create=[
                "CREATE TABLE bench_raw (LIKE ap_balance_snapshotline INCLUDING DEFAULTS)",
                "ALTER TABLE bench_raw ADD PRIMARY KEY (id)",
                "ALTER TABLE bench_raw ADD UNIQUE (snapshot_id, company_code, sap_dealer_code, invoice_id)",
                "CREATE INDEX ON bench_raw (snapshot_id, due_date)",
            ],
            table="bench_raw",
            columns=[*columns, "snapshot_id"],
            copy_text=copy_text,
        )
        copy_text.unlink()

        token = api_token()
        services = Services(db_url=url, media_root=media).start()
        try:
            f_seconds, job = import_over_http(services, PATH, token, first)
            p_seconds = None
            if args.previous:
                p_seconds, replaced = import_over_http(services, PATH, token, bodies[0])
                print(f"(p) counts: {replaced['counts']}; {phases(replaced)}")
                for number in range(1, args.replaces + 1):
                    seconds, again = import_over_http(services, PATH, token, bodies[number % 2])
                    size = relation_size("ap_balance_snapshotline")
                    print(
                        f"report {number:2d}: {seconds:6.2f}s, lines table {mib(size)} (history kept); {phases(again)}"
                    )
            peaks = services.peaks()
        finally:
            services.stop()

    r_rate = args.n / r_seconds
    f_rate = args.n / f_seconds
    print(f"rows: {args.n}")
    print(
        f"(r) raw COPY into a table with PK, UNIQUE line key, INDEX (snapshot, due date): {r_seconds:.2f}s, {r_rate:,.0f} rows/s"
    )
    print(f"(f) finhub first report, HTTP body to committed snapshot: {f_seconds:.2f}s, {f_rate:,.0f} rows/s")
    print(f"ratio f/r: {f_rate / r_rate:.2f}")
    if p_seconds is not None:
        p_rate = args.n / p_seconds
        print(f"(p) finhub report replacing a same-size current snapshot: {p_seconds:.2f}s, {p_rate:,.0f} rows/s")
        print(f"ratio p/r: {p_rate / r_rate:.2f}")
    print(f"peak RSS: web {mib(peaks['web'])}, worker {mib(peaks['worker'])}")
    print(f"first report counts: {job['counts']}; {phases(job)}")


if __name__ == "__main__":
    main()
