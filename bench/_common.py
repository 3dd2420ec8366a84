"""Shared set-up for the import benches: a dedicated PostgreSQL database on
127.0.0.1, migrated, and a child-process runner that reports peak RSS."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_database_url(name: str) -> str:
    return os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{name}")


def recreate_database(url: str) -> None:
    import psycopg

    base, _, dbname = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')


def setup_django(url: str, media_root: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DJANGO_MEDIA_ROOT"] = media_root
    os.environ.pop("CELERY_BROKER_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Run ``python <args>`` and return (wall seconds, peak RSS in bytes, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"child failed with exit {result.returncode}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far; each bench runs one big child.
    return elapsed, max(peak_kib, before) * 1024, result.stdout


def raw_copy_into_copy_of(*, table: str, columns: list[str], copy_text: Path) -> float:
    """Seconds to COPY ``copy_text`` into an empty table created LIKE ``table``
    (same columns, indexes and constraints), in one committed transaction."""
    from django.db import connection, transaction

    raw_table = f"bench_raw_{table}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {raw_table}")
        cursor.execute(f"CREATE TABLE {raw_table} (LIKE {table} INCLUDING ALL)")
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {raw_table} ({', '.join(columns)}) FROM STDIN") as copy,
        copy_text.open("rb") as src,
    ):
        for chunk in iter(lambda: src.read(4 << 20), b""):
            copy.write(chunk)
    return time.perf_counter() - started
