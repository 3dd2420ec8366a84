"""Throughput of POST /reconciliation/saveReconForApi, in process (Django test
client, no network), on a throwaway test database of whatever DATABASE_URL
names (SQLite without it).

    DATABASE_URL=... .venv/bin/python bench/reconciliation_save.py --statements 200 --lines 1 --lines 200

Prints, per statement size: statements per second, lines per second, and the
median and 95th percentile time of one request.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from apps.reconciliation.demo import EXAMPLE_STATEMENT_JSON  # noqa: E402


def statement_body(number: str, lines: int) -> bytes:
    body = json.loads(EXAMPLE_STATEMENT_JSON, parse_float=Decimal)
    body["reconciliationNo"] = number
    template = body["itemList"][0]
    body["itemList"] = []
    for index in range(lines):
        line = copy.deepcopy(template)
        line["itemNo"] = f"{index + 1:05d}"
        body["itemList"].append(line)
    return json.dumps(body, ensure_ascii=False, default=str).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--statements", type=int, default=200)
    parser.add_argument("--lines", type=int, action="append", help="lines per statement (repeatable)")
    args = parser.parse_args()
    sizes = args.lines or [1, 200]

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from apps.core.scopes import ApiScope
        from apps.core.services import api_client_create, api_token_issue

        credentials = api_client_create(name="bench", sys="xl", scopes=[ApiScope.RECONCILIATION_WRITE])
        token = api_token_issue(app_key=credentials.app_key, app_secret=credentials.app_secret).token
        client = Client()
        print(f"database: {connection.vendor}; statements per size: {args.statements}")
        for size in sizes:
            bodies = [statement_body(f"BENCH-{size}-{n}", size) for n in range(args.statements)]
            timings = []
            started = time.perf_counter()
            for body in bodies:
                t0 = time.perf_counter()
                response = client.generic(
                    "POST",
                    "/reconciliation/saveReconForApi",
                    body,
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Token {token}",
                )
                timings.append(time.perf_counter() - t0)
                if not response.json()["ok"]:
                    raise SystemExit(f"rejected: {response.content[:300]!r}")
            elapsed = time.perf_counter() - started
            timings.sort()
            p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
            print(
                f"{size:>5} line(s)/statement: {args.statements / elapsed:8.1f} statements/s, "
                f"{args.statements * size / elapsed:9.1f} lines/s, "
                f"median {statistics.median(timings) * 1000:7.1f} ms, p95 {p95 * 1000:7.1f} ms"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
