"""Tasks that exist only for the worker tests (the test worker imports this module)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from celery import shared_task


@shared_task(name="tests.worker_tasks.record_attempts")
def record_attempts(marker_dir: str, hold_seconds: float) -> int:
    """Leave ``attempt-N`` in ``marker_dir`` (N counts deliveries), hold the first
    attempt for ``hold_seconds`` so that a test can kill the worker mid-task, then
    leave ``done``."""
    directory = Path(marker_dir)
    attempt = len(list(directory.glob("attempt-*"))) + 1
    (directory / f"attempt-{attempt}").write_text(str(os.getpid()))
    if attempt == 1:
        time.sleep(hold_seconds)
    (directory / "done").write_text(str(attempt))
    return attempt
