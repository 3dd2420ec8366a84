"""AP open-balance import bench: finhub's end-to-end import against a raw PostgreSQL COPY.

    python bench/import_ap_balance.py N [--previous]

Generates N valid AP open-balance rows as a JSON file, then in the same run measures
  (a) a raw ``COPY`` of those rows into an empty table with the same indexes and
      constraints as the snapshot-line table (``CREATE TABLE ... (LIKE ... INCLUDING ALL)``),
  (b) finhub's import of the same body end to end in a child process: digest of
      the body, streamed parse + validation, the import job with its raw body kept,
      and the atomic snapshot switch (COPY, totals per currency, change counts
      against the previous current snapshot, flag flip, commit),
and prints rows/s for both, the ratio b/a and the peak RSS of (b).
``--previous`` first imports the same rows once (untimed) so that (b) replaces a
current snapshot of the same size, as SAP's daily report does.
Uses its own database (BENCH_AP_DATABASE_URL, default finhub_bench_ap on
127.0.0.1), dropped and recreated on every run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, raw_copy_into_copy_of, recreate_database, setup_django

CURRENCIES = ["EUR", "USD", "GBP", "CNY", "JPY"]


def write_rows(path: Path, n: int) -> None:
    rng = random.Random(42)
    with path.open("w") as out:
        out.write("[")
        for i in range(n):
            amount = rng.randrange(1, 10_000_000) / 100
            cleared = i % 10 == 0
            row = {
                "companyCode": "1000" if i % 3 else "2000",
                "sapDealerCode": f"{17_000_000 + i % 5000:010d}",
                "invoinceId": f"WR-{i:08d}",
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


def child(path: str) -> None:
    """(b): runs in its own process so that its peak RSS is its own."""
    import hashlib
    import resource

    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from apps.ap_balance.services import ap_balance_import_queue, ap_balance_report_stage, ap_snapshot_apply

    started = time.perf_counter()
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as body:
        for chunk in iter(lambda: body.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
        staging = time.perf_counter()
        staged = ap_balance_report_stage(body=body)
        staging = time.perf_counter() - staging
        job = ap_balance_import_queue(
            staged=staged, body=body, body_sha256=digest.hexdigest(), body_size=size, source="bench", enqueue=False
        )
    applying = time.perf_counter()
    job = ap_snapshot_apply(job_id=job.pk)
    applying = time.perf_counter() - applying
    elapsed = time.perf_counter() - started
    if job is None or job.status != "succeeded":
        raise SystemExit(f"import failed: {job and job.message}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "rows": staged.rows,
                "counts": job.counts,
                "peak_rss": peak,
                "validate": staging,
                "apply": applying,
            }
        )
    )


def run_child(body: Path) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(body)],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"child failed with exit {result.returncode}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def raw_copy(copy_text: Path) -> float:
    """(a): COPY the same rows into an empty table shaped and indexed like the lines."""
    from apps.ap_balance.models import SnapshotLine
    from apps.ap_balance.services import STAGED_COLUMNS

    return raw_copy_into_copy_of(
        table=SnapshotLine._meta.db_table, columns=[*STAGED_COLUMNS, "snapshot_id"], copy_text=copy_text
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, nargs="?", default=100_000)
    parser.add_argument("--previous", action="store_true", help="replace a current snapshot of the same size")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    url = os.environ.get("BENCH_AP_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/finhub_bench_ap")
    recreate_database(url)
    with tempfile.TemporaryDirectory(prefix="finhub-bench-ap-") as workdir:
        setup_django(url, str(Path(workdir) / "media"))
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        body = Path(workdir) / "ap-balance.json"
        started = time.perf_counter()
        write_rows(body, args.n)
        print(f"generated {args.n} rows ({body.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f}s")

        # The same rows as COPY text for (a), staged by finhub's own validator (untimed).
        from apps.ap_balance.services import ap_balance_report_stage

        with body.open("rb") as src:
            staged = ap_balance_report_stage(body=src)
        copy_text = Path(workdir) / "raw.tsv"
        with staged.path.open("rb") as src, copy_text.open("wb") as dst:
            for line in src:
                dst.write(line[:-1] + b"\t0\n")  # snapshot_id column for the raw table
        staged.path.unlink()

        a_seconds = raw_copy(copy_text)
        if args.previous:
            run_child(body)  # the current snapshot that (b) replaces
        result = run_child(body)

    b_seconds = result["seconds"]
    a_rate = args.n / a_seconds
    b_rate = args.n / b_seconds
    print(f"rows: {args.n}{' (replacing a current snapshot of the same size)' if args.previous else ''}")
    print(f"(a) raw COPY into an indexed copy of the lines table: {a_seconds:.2f}s, {a_rate:,.0f} rows/s")
    print(
        f"(b) finhub import end to end: {b_seconds:.2f}s, {b_rate:,.0f} rows/s "
        f"(parse+validate+stage {result['validate']:.2f}s, apply {result['apply']:.2f}s)"
    )
    print(f"ratio b/a (rows/s): {b_rate / a_rate:.2f}")
    print(f"peak RSS of (b): {result['peak_rss'] / 2**20:.0f} MiB")
    print(f"job counts: {result['counts']}")


if __name__ == "__main__":
    main()
