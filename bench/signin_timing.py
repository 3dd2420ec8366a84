"""How long a wrong sign-in takes when the appKey / user name exists and when it
does not (they must not differ: no enumeration by timing), with the production
password hasher (PBKDF2), through the services the endpoints call.

    python bench/signin_timing.py            # BENCH_DATABASE_URL to use another PostgreSQL on 127.0.0.1
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import bench_database_url, migrate, recreate_database, setup_django

ROUNDS = 15
PASSWORD = "S3cret-pass!"  # noqa: S105 - a throwaway user of the bench database
WRONG = "wrong"


def timed(call: Callable[[], None]) -> float:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        with contextlib.suppress(Exception):  # every call here is a refused sign-in
            call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    url = bench_database_url("finhub_bench_signin")
    recreate_database(url)
    setup_django(url, tempfile.mkdtemp())
    migrate()
    from django.conf import settings
    from django.contrib.auth import hashers

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()

    from apps.core.services import api_client_create, api_token_issue
    from apps.purchases.models import KashflowUser
    from apps.purchases.sessions import kashflow_user_create, sign_in_start

    client = api_client_create(name="bench", sys="pp")
    owner = kashflow_user_create(username="bench", password=PASSWORD, memorable_word="pineapple")

    def known_user() -> None:
        KashflowUser.objects.filter(pk=owner.pk).update(failed_attempts=0, locked_until=None)
        sign_in_start(username="bench", password=WRONG)

    rows = [
        (
            "KDP token, known appKey, wrong secret",
            timed(lambda: api_token_issue(app_key=client.app_key, app_secret=WRONG)),
        ),
        ("KDP token, unknown appKey", timed(lambda: api_token_issue(app_key="0" * 32, app_secret=WRONG))),
        ("/v2 sign-in, known user, wrong password", timed(known_user)),
        ("/v2 sign-in, unknown user", timed(lambda: sign_in_start(username="nobody", password=WRONG))),
    ]
    print(f"median of {ROUNDS} calls each, PBKDF2 ({settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]})")
    for label, ms in rows:
        print(f"{label:45s} {ms:8.1f} ms")


if __name__ == "__main__":
    main()
