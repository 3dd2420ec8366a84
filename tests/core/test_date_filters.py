"""The one rule for bare dates (apps.core.filters): a bare date bound covers its
whole day, in every date and date-time filter of /api/v1. Each filter is tried
with every row on the edge day: the last instant of day D (local time) for
date-time columns, D itself for date columns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from apps.ap_balance.models import Snapshot, SnapshotLine
from apps.core.models import ImportJob
from apps.invoices.models import Invoice
from apps.purchases.models import Purchase
from apps.reconciliation.models import ReconciliationStatement
from tests.core.test_api_listing import _ap_lines, _imports, _invoices, _purchases, _statements

pytestmark = pytest.mark.django_db

DAY = dt.date(2024, 2, 29)
ZONE = "Asia/Shanghai"


def _last_instant() -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(DAY, dt.time(23, 59, 59, 999000)))


def _first_instant() -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(DAY, dt.time.min))


FILTERS: list[tuple[str, str, str, Callable[[], None], Callable[[Any], None]]] = [
    ("imports", "createdAfter", "createdBefore", _imports, lambda at: ImportJob.objects.update(created_at=at)),
    ("invoices", "invoiceDateAfter", "invoiceDateBefore", _invoices, lambda d: Invoice.objects.update(invoice_date=d)),
    ("invoices", "dueDateAfter", "dueDateBefore", _invoices, lambda d: Invoice.objects.update(due_date=d)),
    ("ap-balances", "dueDateAfter", "dueDateBefore", _ap_lines, lambda d: SnapshotLine.objects.update(due_date=d)),
    (
        "ap-balances/snapshots", "receivedAfter", "receivedBefore", _ap_lines,
        lambda at: Snapshot.objects.update(received_at=at),
    ),
    (
        "reconciliations", "periodFrom", None, _statements,
        lambda at: ReconciliationStatement.objects.update(end_time=at, start_time=at - dt.timedelta(days=30)),
    ),
    (
        "reconciliations", None, "periodTo", _statements,
        lambda at: ReconciliationStatement.objects.update(start_time=at, end_time=at + dt.timedelta(days=30)),
    ),
    ("purchases", "issuedAfter", "issuedBefore", _purchases, lambda d: Purchase.objects.update(issued_date=d)),
    ("purchases", "dueAfter", "dueBefore", _purchases, lambda d: Purchase.objects.update(due_date=d)),
]  # fmt: skip


def _count(client: Any, prefix: str, **params: str) -> int:
    response = client.get(f"/api/v1/{prefix}/", params)
    assert response.status_code == 200, response.content
    return response.json()["count"]


@pytest.mark.parametrize(
    ("prefix", "after", "before", "make", "place"), FILTERS, ids=[f"{f[0]}-{f[1] or f[2]}" for f in FILTERS]
)
def test_a_bare_date_bound_covers_the_edge_day(client_for_reads, settings, prefix, after, before, make, place):
    settings.TIME_ZONE = ZONE
    make()
    everything = _count(client_for_reads, prefix)
    assert everything > 0
    day, previous, following = DAY.isoformat(), (DAY - dt.timedelta(1)).isoformat(), (DAY + dt.timedelta(1)).isoformat()
    if before:
        place(_last_instant() if "created" in before or "received" in before or before == "periodTo" else DAY)
        assert _count(client_for_reads, prefix, **{before: day}) == everything
        assert _count(client_for_reads, prefix, **{before: previous}) == 0
    if after:
        place(_first_instant() if "created" in after or "received" in after or after == "periodFrom" else DAY)
        assert _count(client_for_reads, prefix, **{after: day}) == everything
        assert _count(client_for_reads, prefix, **{after: following}) == 0
        if before:
            assert _count(client_for_reads, prefix, **{after: day, before: day}) == everything


def test_a_date_time_bound_is_an_inclusive_instant(client_for_reads):
    _imports()
    moment = dt.datetime(2024, 2, 29, 10, 0, tzinfo=dt.UTC)
    ImportJob.objects.update(created_at=moment)
    assert _count(client_for_reads, "imports", createdBefore="2024-02-29T10:00:00Z") == 25
    assert _count(client_for_reads, "imports", createdBefore="2024-02-29T09:59:59Z") == 0
    assert _count(client_for_reads, "imports", createdAfter="2024-02-29T18:00:00+08:00") == 25
    assert _count(client_for_reads, "imports", createdAfter="2024-02-29T10:00:00.000001Z") == 0


@pytest.mark.parametrize("value", ["yesterday", "2024-02-30", "2024-13-01T00:00:00Z"])
def test_a_malformed_date_bound_is_400(client_for_reads, value):
    response = client_for_reads.get("/api/v1/imports/", {"createdBefore": value})
    assert response.status_code == 400
    assert "createdBefore" in response.json()


def test_the_last_day_bounds_do_not_overflow(client_for_reads):
    _imports()
    assert _count(client_for_reads, "imports", createdBefore="9999-12-31") == 25
    assert _count(client_for_reads, "imports", createdAfter="9999-12-31") == 0
    assert _count(client_for_reads, "invoices", dueDateAfter="0001-01-01") == 0
