from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPORT_URL = "/inventory-server/api/invoice/report/ap/balance"
DATA = Path(__file__).parent / "data"


@pytest.fixture
def sample_rows() -> list[dict[str, Any]]:
    return json.loads((DATA / "ap-open-balance.json").read_text())


@pytest.fixture
def sample_raw() -> bytes:
    return (DATA / "ap-open-balance.json").read_bytes()


@pytest.fixture
def post_report(kdp: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """POST a report and run what the view queued on commit (the Celery task, eager)."""

    def post(body: Any, *, query: str = "", raw: bytes | None = None, **headers: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return kdp.post(REPORT_URL + query, body, raw=raw, **headers)

    return post
