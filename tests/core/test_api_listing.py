"""Every /api/v1 list, paged with every ordering it allows over rows that tie on
every ordering field, shows each row exactly once; unknown filters and orderings
are 400."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.ap_balance.models import Snapshot, SnapshotLine
from apps.core.api.casing import to_camel
from apps.core.models import ImportJob
from apps.invoices.models import Invoice
from apps.purchases.demo import load_demo_data
from apps.purchases.models import Purchase
from apps.purchases.services import LineInput, PurchaseInput, purchase_create
from config.api_router import router
from tests.core.factories import ImportJobFactory
from tests.reconciliation.factories import ReconciliationStatementFactory

pytestmark = pytest.mark.django_db

PAGE_SIZE = 7
MOMENT = dt.datetime(2023, 6, 1, 12, tzinfo=dt.UTC)


def _invoice(job: ImportJob, year: int, n: int, invoice_id: str) -> Invoice:
    """Every row alike but for its id and payer (one of three)."""
    money = {"amount": Decimal(100), "tax_amount": Decimal(20), "amount_lc": Decimal(100)}
    return Invoice(
        job=job, year=year, order_id="SO", sap_order_id="SAP", invoice_id=invoice_id, **money,
        tax_amount_lc=Decimal(20), due_date=dt.date(2023, 7, 1), distribution_channel="10", currency="EUR",
        payer=f"P{n % 3}", reverse_mark=0, create_date=dt.date(2023, 6, 1), tax_rate=Decimal("0.2"),
        invoice_date=dt.date(2023, 6, 1), invoice_type="M", currency_lc="EUR", bill_to="B", row_hash=f"{n}",
    )  # fmt: skip


def _invoices() -> None:
    # invoice_id is unique per year: the ties on it come from other years.
    for year, count in ((2023, 3), (2021, 15), (2022, 15)):
        job = ImportJobFactory(kind="invoice-year", scope=str(year))
        Invoice.objects.bulk_create(_invoice(job, year, n, f"{n % 3}-{n // 3}") for n in range(count))


def _snapshot(current: bool) -> Snapshot:
    return Snapshot.objects.create(
        job=ImportJobFactory(kind="ap-balance", scope="ap"), received_at=MOMENT, row_count=30, is_current=current
    )


def _line(snapshot: Snapshot, n: int) -> SnapshotLine:
    return SnapshotLine(
        snapshot=snapshot, company_code=f"C{n % 2}", sap_dealer_code=f"D{n % 3}", invoice_id=f"W{n // 6}",
        open_balance=Decimal(10) if n % 4 else Decimal(20), currency="EUR", amount_lc=Decimal(10),
        currency_lc="EUR", due_date=dt.date(2023, 7, 1), row_hash=f"{n}",
    )  # fmt: skip


def _ap_lines() -> None:
    older = _snapshot(False)
    current = _snapshot(True)
    for snapshot, count in ((older, 20), (current, 30)):
        SnapshotLine.objects.bulk_create(_line(snapshot, n) for n in range(count))
    for _n in range(20):  # ties on received_at and row_count
        _snapshot(False)


def _imports() -> None:
    for _n in range(25):
        ImportJobFactory(kind="invoice-year", scope="1999", status=ImportJob.Status.SUCCEEDED)
    ImportJob.objects.update(created_at=MOMENT)


def _statements() -> None:
    for _n in range(25):
        ReconciliationStatementFactory(supplier_name="Same", buyer_name="Same")
    from apps.reconciliation.models import ReconciliationStatement

    ReconciliationStatement.objects.update(created_at=MOMENT)


def _purchases() -> None:
    load_demo_data()
    Purchase.objects.all().delete()
    for number in range(1, 23):
        purchase_create(
            PurchaseInput(
                number=number,
                supplier_code="08C",
                issued_date=dt.date(2030, 1, 1),
                due_date=dt.date(2030, 2, 1),
                lines=[LineInput(description="x", quantity=Decimal(1), rate=Decimal(10), nominal_code=5000)],
            )
        )


def _page_through(client: Any, url: str, params: dict[str, Any], key: Callable[[dict], Any]) -> list[Any]:
    seen: list[Any] = []
    response = client.get(url, {**params, "pageSize": PAGE_SIZE})
    assert response.status_code == 200, response.content
    while True:
        body = response.json()
        seen.extend(key(row) for row in body["results"])
        if not body["next"]:
            return seen
        response = client.get(body["next"])
        assert response.status_code == 200, response.content


def _orderings(prefix: str) -> list[str | None]:
    for registered_prefix, viewset, _basename in router.registry:
        if registered_prefix == prefix:
            fields = getattr(viewset, "ordering_fields", None) or []
            names = [to_camel(name) for name in fields]  # /api/v1 is camelCase
            return [None, *names, *(f"-{name}" for name in names), ",".join(names)]
    raise AssertionError(prefix)


LISTS = [
    ("invoices", _invoices, {}),
    ("ap-balances", _ap_lines, {}),
    ("ap-balances/snapshots", _ap_lines, {}),
    ("imports", _imports, {}),
    ("reconciliations", _statements, {}),
    ("purchases", _purchases, {}),
]


@pytest.mark.parametrize(("prefix", "make", "params"), LISTS, ids=[item[0] for item in LISTS])
def test_paging_with_every_ordering_shows_each_row_exactly_once(client_for_reads, prefix, make, params):
    make()
    url = f"/api/v1/{prefix}/"
    expected = _page_through(client_for_reads, url, params, key=lambda row: row["id"])
    assert len(expected) >= 20 and len(set(expected)) == len(expected)
    for ordering in _orderings(prefix):
        query = dict(params) if ordering is None else {**params, "ordering": ordering}
        seen = _page_through(client_for_reads, url, query, key=lambda row: row["id"])
        assert sorted(seen) == sorted(expected), ordering


def test_ageing_and_compare_pages_show_each_row_once(client_for_reads):
    _ap_lines()
    ageing = _page_through(
        client_for_reads, "/api/v1/ap-balances/ageing/", {}, key=lambda r: (r["sapDealerCode"], r["currency"])
    )
    assert len(ageing) == 3 and len(set(ageing)) == 3
    older = Snapshot.objects.filter(row_count=30, is_current=False).order_by("pk").first()
    compare = _page_through(
        client_for_reads,
        "/api/v1/ap-balances/compare/",
        {"before": older.pk},
        key=lambda r: (r["companyCode"], r["sapDealerCode"], r["invoinceId"]),
    )
    assert len(compare) == 10 and len(set(compare)) == 10  # 10 lines added, none changed


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/invoices/",
        "/api/v1/ap-balances/",
        "/api/v1/ap-balances/snapshots/",
        "/api/v1/imports/",
        "/api/v1/reconciliations/",
        "/api/v1/purchases/",
        "/api/v1/ap-balances/ageing/",
        "/api/v1/ap-balances/compare/?before=1",
    ],
)
def test_an_unknown_filter_is_400_naming_it(client_for_reads, url):
    sep = "&" if "?" in url else "?"
    response = client_for_reads.get(f"{url}{sep}nosuchfilter=1")
    assert response.status_code == 400
    assert "nosuchfilter" in response.json()


@pytest.mark.parametrize("url", ["/api/v1/invoices/", "/api/v1/ap-balances/", "/api/v1/imports/", "/api/v1/purchases/"])
def test_an_unknown_ordering_is_400(client_for_reads, url):
    for ordering in ("nosuchfield", "-row_hash", "payer,__class__"):
        response = client_for_reads.get(url, {"ordering": ordering})
        assert response.status_code == 400, ordering
        assert "ordering" in response.json()


def _field_or_none(opts: Any, name: str) -> Any:
    try:
        return opts.get_field(name)
    except FieldDoesNotExist:  # a lookup path or an annotation
        return None


def _total(model: Any, ordering: list[str]) -> bool:
    """Whether ``ordering`` orders ``model``'s rows totally: it has the primary key,
    a unique non-null field, or every field of a unique constraint (non-null)."""
    names = {str(term).lstrip("-") for term in ordering}
    opts = model._meta
    if {"pk", opts.pk.name, opts.pk.attname} & names:
        return True
    for name in names:
        field = _field_or_none(opts, name)
        if field is not None and field.unique and not field.null:
            return True
    for constraint in opts.total_unique_constraints:
        if set(constraint.fields) <= names and not any(opts.get_field(f).null for f in constraint.fields):
            return True
    return False


def test_every_admin_changelist_ordering_is_total(admin_user):
    """Every admin list, in its default ordering and sorted by each sortable column,
    orders by a unique key last (Django's ChangeList adds -pk where needed)."""
    from django.contrib import admin
    from django.test import RequestFactory

    checked = 0
    for model, model_admin in admin.site._registry.items():
        request = RequestFactory().get("/")
        request.user = admin_user
        changelist = model_admin.get_changelist_instance(request)
        for index in [None, *range(len(changelist.list_display))]:
            request = RequestFactory().get("/", {} if index is None else {"o": str(index)})
            request.user = admin_user
            changelist = model_admin.get_changelist_instance(request)
            ordering = changelist.get_ordering(request, changelist.root_queryset)
            assert _total(model, ordering), (model._meta.label, index, ordering)
            checked += 1
    assert checked > 50


@pytest.mark.parametrize(("prefix", "make"), [("invoices", _invoices), ("ap-balances", _ap_lines)])
def test_cursor_paging_with_every_ordering_shows_each_row_exactly_once(client_for_reads, prefix, make):
    make()
    url = f"/api/v1/{prefix}/"
    expected = _page_through(client_for_reads, url, {}, key=lambda row: row["id"])
    for ordering in _orderings(prefix):
        query = {"cursor": ""} if ordering is None else {"cursor": "", "ordering": ordering}
        seen = _page_through(client_for_reads, url, query, key=lambda row: row["id"])
        assert sorted(seen) == sorted(expected), ordering
        assert len(seen) == len(set(seen))


def test_a_cursor_page_is_a_keyset_query_without_offset_or_count(client_for_reads, django_assert_num_queries):
    _invoices()
    first = client_for_reads.get("/api/v1/invoices/", {"cursor": "", "pageSize": 5, "ordering": "payer"}).json()
    assert "count" not in first and first["previous"] is None and len(first["results"]) == 5
    with CaptureQueriesContext(connection) as queries:
        second = client_for_reads.get(first["next"]).json()
    listing = [q["sql"] for q in queries.captured_queries if "invoices_invoice" in q["sql"]]
    assert len(listing) == 1 and "OFFSET" not in listing[0] and "COUNT(" not in listing[0]
    assert not {row["id"] for row in first["results"]} & {row["id"] for row in second["results"]}


@pytest.mark.parametrize("cursor", ["not-base64!", "e30", "eyJvIjogWyJwYXllciJdLCAidiI6IFsxXX0"])
def test_a_foreign_or_broken_cursor_is_400(client_for_reads, cursor):
    _invoices()
    response = client_for_reads.get("/api/v1/invoices/", {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_a_cursor_from_another_ordering_is_400(client_for_reads):
    _invoices()
    first = client_for_reads.get("/api/v1/invoices/", {"cursor": "", "pageSize": 2, "ordering": "payer"}).json()
    cursor = first["next"].split("cursor=")[1].split("&")[0]
    response = client_for_reads.get("/api/v1/invoices/", {"cursor": cursor, "ordering": "amount"})
    assert response.status_code == 400


def test_a_whole_year_counts_as_its_import_did_without_count_star(client_for_reads):
    _invoices()
    job = Invoice.objects.filter(year=2023).first().job
    job.counts = {**job.counts, "rows": 3}
    job.save(update_fields=["counts"])
    with CaptureQueriesContext(connection) as queries:
        body = client_for_reads.get("/api/v1/invoices/", {"year": 2023}).json()
    assert body["count"] == 3 and len(body["results"]) == 3
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"] and "invoices_invoice" in q["sql"]]
    # With another filter the scope is not whole: counted.
    assert client_for_reads.get("/api/v1/invoices/", {"year": 2023, "payer": "P0"}).json()["count"] == 1


def test_a_whole_snapshot_counts_as_its_import_did(client_for_reads):
    _ap_lines()
    with CaptureQueriesContext(connection) as queries:
        body = client_for_reads.get("/api/v1/ap-balances/").json()
    assert body["count"] == 30
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"] and "ap_balance_snapshotline" in q["sql"]]
    assert (
        client_for_reads.get("/api/v1/ap-balances/", {"currency": "EUR", "sapDealerCode": "D0"}).json()["count"] == 10
    )


def test_cursor_is_refused_where_there_is_no_cursor_paging(client_for_reads):
    response = client_for_reads.get("/api/v1/imports/", {"cursor": ""})
    assert response.status_code == 400 and "cursor" in response.json()


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1001", "１０", "2.5", ""])
@pytest.mark.parametrize("url", ["/api/v1/invoices/", "/api/v1/imports/", "/api/v1/reconciliations/"])
def test_a_page_size_outside_1_to_1000_is_a_400_not_a_silent_default(client_for_reads, url, value):
    response = client_for_reads.get(url, {"pageSize": value})
    assert response.status_code == 400, response.content
    assert "pageSize" in response.json()


def test_a_page_size_within_the_bounds_is_used(client_for_reads):
    ImportJobFactory.create_batch(3)
    response = client_for_reads.get("/api/v1/imports/", {"pageSize": "2"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2
