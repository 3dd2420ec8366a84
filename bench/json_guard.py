"""JSON guard bench: parse time of one large JSON string, which must grow linearly.

    python bench/json_guard.py [--sizes 1 10 100] [--compare-ijson]

For each size (MB) it builds a body holding one string of that many bytes and
times, best of ``--repeat`` runs:
  stream: the SAP import pipeline's streamed parse (``iter_json_array``, one
          invoice row whose ``orderId`` is the string), as the KDP import does;
  whole:  ``json_guard.loads`` of ``{"note": "<string>"}``, as the Xunlian,
          /v2 and token endpoints do;
  ijson:  (with --compare-ijson) the previous parser, ijson's yajl2_c backend,
          whose lexer re-reads a token that spans reads on every read (quadratic).
Then it prints the ratio of the largest to the second largest size for each, and
whether the stream parse is linear (time ratio under the size ratio).
JSON_MAX_STRING_LENGTH is raised for the run so the strings are parsed, not refused.
Needs no database.

Allocator: glibc serves every block over 32 MB with fresh pages from the kernel
(mmap) and returns them on free, so each 100 MB string pays page faults that a
10 MB one (reused heap memory) does not: on a busy machine that alone made the
100 MB parse ~14x the 10 MB one with this parser and ~11x for ``json.loads``.
To time the parser rather than the page faults, the bench re-runs itself with
``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_`` raised (the same
knobs a worker can be started with); ``--default-allocator`` times it without.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


def best_of(repeat: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100], help="string sizes in MB")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare-ijson", action="store_true", help="also time ijson (yajl2_c); slow at 100 MB")
    parser.add_argument("--default-allocator", action="store_true", help="keep glibc's default mmap thresholds")
    args = parser.parse_args()
    if not args.default_allocator and "MALLOC_MMAP_THRESHOLD_" not in os.environ:
        warm = {"MALLOC_MMAP_THRESHOLD_": str(4 << 30), "MALLOC_TRIM_THRESHOLD_": str(4 << 30)}
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **warm})  # noqa: S606 - this bench again
    allocator = "default" if args.default_allocator else "warm (MALLOC_MMAP_THRESHOLD_ raised)"
    print(f"allocator: {allocator}")

    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["JSON_MAX_STRING_LENGTH"] = str(max(args.sizes) * MB + 1)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from apps.core import json_guard
    from apps.core.importing.reading import iter_json_array

    results: dict[str, list[float]] = {"stream": [], "whole": [], "ijson": []}
    print(f"{'size':>8} {'stream s':>10} {'whole s':>10}" + (f" {'ijson s':>10}" if args.compare_ijson else ""))
    for size in args.sizes:
        text = b"x" * (size * MB)
        row_body = b'[{"orderId": "' + text + b'", "amount": 1}]'
        object_body = b'{"note": "' + text + b'"}'
        stream = best_of(args.repeat, lambda body=row_body: list(iter_json_array(io.BytesIO(body))))
        whole = best_of(args.repeat, lambda body=object_body: json_guard.loads(body))
        results["stream"].append(stream)
        results["whole"].append(whole)
        line = f"{size:>6}MB {stream:>10.3f} {whole:>10.3f}"
        if args.compare_ijson:
            import ijson

            backend = ijson.get_backend("yajl2_c")
            old = best_of(
                1, lambda body=row_body, backend=backend: list(backend.items(io.BytesIO(body), "item", use_float=False))
            )
            results["ijson"].append(old)
            line += f" {old:>10.3f}"
        print(line, flush=True)

    if len(args.sizes) >= 2:
        small, large = args.sizes[-2], args.sizes[-1]
        size_ratio = large / small
        for name, times in results.items():
            if times:
                print(
                    f"{name}: {large} MB / {small} MB time ratio {times[-1] / times[-2]:.1f} (size ratio {size_ratio:.0f})"
                )
        linear = results["stream"][-1] < size_ratio * results["stream"][-2]
        print(f"stream parse linear (time ratio under {size_ratio:.0f}): {'yes' if linear else 'NO'}")


if __name__ == "__main__":
    main()
