"""Reads of purchases: the KashFlow list (sort, filters, one page) and a single
purchase with everything the detail response shows. Query counts do not grow
with the page size."""

from __future__ import annotations

import datetime as dt
import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict, namedtuple
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, F, Max, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from apps.purchases.models import (
    Project,
    Purchase,
    PurchaseListVersion,
    PurchaseQuerySet,
    Supplier,
)
from apps.purchases.selectors.purchase_filters import SORT_FIELDS, ListQuery, purchase_list_queryset

ZERO = Decimal("0.00")

# --- cached sort orders -------------------------------------------------------------
#
# A page deep in a 100,000-row list sorted by supplier name costs an index walk
# over every row before it, and TotalRecords a count of all of them. Each worker
# process therefore keeps the ordered ids of the lists it was asked for, with
# the list version they were read at (PurchaseListVersion: a trigger gives it a
# never-used value on every write). A page is then a slice, TotalRecords a
# length, and the page's rows are read in one query that also returns the
# current version: if it differs, the order is read again. Reads inside a
# transaction (which may see their own uncommitted writes) bypass the cache.

# Two LRU caches: long lists (costly to read again, a few) and short ones (a
# supplier's purchases, an incremental sync: cheap, many), so that a sync
# walking hundreds of suppliers does not evict the long lists.
_CACHE_ENTRIES = 16
_SMALL_ENTRIES = 512
_SMALL_LIST = 2000
Entry = tuple[int, "array[int]", Decimal]  # (list version, ordered ids, TotalAmount of those rows)
_cache: OrderedDict[tuple[Any, ...], Entry] = OrderedDict()
_small: OrderedDict[tuple[Any, ...], Entry] = OrderedDict()
_cache_lock = threading.Lock()
_VERSION = Subquery(PurchaseListVersion.objects.filter(pk=1).values("value")[:1])


def list_version() -> int | None:
    return PurchaseListVersion.objects.filter(pk=1).values_list("value", flat=True).first()


def _cache_get(key: tuple[Any, ...]) -> Entry | None:
    with _cache_lock:
        for cache in (_cache, _small):
            entry = cache.get(key)
            if entry is not None:
                cache.move_to_end(key)
                return entry
        return None


def _cache_put(key: tuple[Any, ...], version: int, values: Iterable[int], amount: Decimal = ZERO) -> Entry:
    data = array("q", values)
    cache, size = (_small, _SMALL_ENTRIES) if len(data) <= _SMALL_LIST else (_cache, _CACHE_ENTRIES)
    with _cache_lock:
        _cache.pop(key, None)
        _small.pop(key, None)
        cache[key] = (version, data, amount)
        while len(cache) > size:
            cache.popitem(last=False)
    return version, data, amount


def clear_list_cache() -> None:
    with _cache_lock:
        _cache.clear()
        _small.clear()


def _ordered(query: ListQuery, today: dt.date) -> PurchaseQuerySet:
    qs = purchase_list_queryset(query, today)
    column = dict(SORT_FIELDS)[query.sortby]
    if column == "status_sort":
        qs = qs.annotate_status(today, "status_sort")
    elif column == "due_sort":
        qs = qs.alias(due_sort=F("gross_amount") - F("total_paid_amount"))
    sign = "-" if query.order == "Desc" else ""
    return qs.order_by(f"{sign}{column}", f"{sign}number")


def _ids_and_amount(query: ListQuery, today: dt.date) -> tuple[list[int], Decimal]:
    ids: list[int] = []
    amount = ZERO
    for pk, gross in _ordered(query, today).values_list("pk", "gross_amount"):
        ids.append(pk)
        amount += gross
    return ids, amount


def purchase_page(query: ListQuery, today: dt.date) -> tuple[list[Any], int, Decimal]:
    """One page of purchases, the total count and the gross amount of all pages
    (MetaData TotalAmount); the rows carry ``previous_number`` and
    ``next_number``. A constant number of queries whatever the page size (one
    when the cached order is current)."""
    offset = (query.page - 1) * query.perpage
    if connection.in_atomic_block:
        return _page_uncached(query, today, offset)
    # The filters' references are resolved first, so renaming a project or a
    # supplier code (which writes no purchase) cannot serve a stale list.
    key = (today, *query.cache_key(), _project_id(query), _supplier_id(query))
    for _attempt in range(2):
        entry, numbers = _cache_get(key), _cache_get(("numbers",))
        if entry is None or numbers is None or entry[0] != numbers[0]:
            version = list_version()
            if version is None:
                break
            # Each read only when stale: a filtered list missing from the cache
            # must not re-read every purchase number too.
            if entry is None or entry[0] != version:
                entry = _cache_put(key, version, *_ids_and_amount(query, today))
            if numbers is None or numbers[0] != version:
                numbers = _cache_put(
                    ("numbers",), version, Purchase.objects.order_by("number").values_list("number", flat=True)
                )
        version, ids, amount = entry
        page_ids = list(ids[offset : offset + query.perpage])
        records, current = _light_records(page_ids)
        if current is None:
            current = list_version()
        if current != version:  # written since: read the order again
            clear_list_cache()
            continue
        return _rows(page_ids, records, numbers[1]), len(ids), amount
    return _page_uncached(query, today, offset)


def _rows(page_ids: list[int], records: list[tuple[Any, ...]], numbers: array[int]) -> list[Any]:
    """Records in page order, as rows that carry their neighbour numbers."""
    by_id = {record[0]: record for record in records}
    out = []
    last = len(numbers) - 1
    for pk in page_ids:
        record = by_id.get(pk)
        if record is None:
            continue
        i = bisect_left(numbers, record[1])
        out.append(_Row(*record[:-1], numbers[i - 1] if i > 0 else 0, numbers[i + 1] if i < last else 0))  # type: ignore[call-arg]
    return out


_ROW_COLUMNS = [
    "pk",
    "number",
    "uuid",
    "issued_date",
    "due_date",
    "paid_date",
    "supplier_id",
    "supplier_code",
    "supplier_name",
    "supplier_reference",
    "currency_code",
    "exchange_rate",
    "net_amount",
    "vat_amount",
    "gross_amount",
    "home_currency_gross_amount",
    "total_paid_amount",
    "settlement",
    "project_number",
    "project_name",
    "additional_field_value",
    "purchase_in_ec_member_state",
    "is_wht_deduction_to_be_applied",
    "file_count",
    "purchase_type",
    "is_cis_reverse_charge",
    "cis_rc_net_amount",
    "cis_rc_vat_amount",
    "trade_border_type",
]


_ROW_ATTRS = [c.replace("__", "_") for c in _ROW_COLUMNS]

# The hot path on PostgreSQL: one statement, written out so Django need not
# compile a query with two joins and a subquery on every page.
_PG_ROWS_SQL = """
SELECT p.id, p.number, p.uuid, p.issued_date, p.due_date, p.paid_date, p.supplier_id, p.supplier_code,
       p.supplier_name, p.supplier_reference, p.currency_code, p.exchange_rate, p.net_amount, p.vat_amount,
       p.gross_amount, p.home_currency_gross_amount, p.total_paid_amount, p.settlement, p.project_number,
       p.project_name, p.additional_field_value, p.purchase_in_ec_member_state, p.is_wht_deduction_to_be_applied,
       p.file_count, p.purchase_type, p.is_cis_reverse_charge, p.cis_rc_net_amount, p.cis_rc_vat_amount,
       p.trade_border_type, (SELECT v.value FROM purchases_purchaselistversion v WHERE v.id = 1)
FROM purchases_purchase p
WHERE p.id = ANY(%s)
"""


def _light_records(ids: list[int]) -> tuple[list[tuple[Any, ...]], int | None]:
    """The page's records (``_ROW_COLUMNS`` then the list version, read in the
    same statement, so in the same snapshot): one query, no model instances."""
    if not ids:
        return [], None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_PG_ROWS_SQL, [ids])
            records = cursor.fetchall()
    else:
        query = Purchase.objects.filter(pk__in=ids).annotate(list_version=_VERSION)
        records = list(query.values_list(*_ROW_COLUMNS, "list_version"))
    return records, (records[0][-1] if records else None)


# A list row: the attributes ``purchase_data`` reads.
_Row = namedtuple("_Row", [*_ROW_ATTRS, "previous_number", "next_number"])  # type: ignore[misc]


def _project_id(query: ListQuery) -> int | None:
    if not query.projectnumber:
        return None
    return Project.objects.filter(number=query.projectnumber).values_list("pk", flat=True).first() or -1


def _supplier_id(query: ListQuery) -> int | None:
    if not query.suppliercode:
        return None
    return Supplier.objects.by_code(query.suppliercode).values_list("pk", flat=True).first() or -1


def _page_uncached(query: ListQuery, today: dt.date, offset: int) -> tuple[list[Purchase], int, Decimal]:
    """The same page straight from the database: count and amount, then an index
    walk for the page's ids, then the rows with their neighbour numbers."""
    qs = _ordered(query, today)
    totals = qs.aggregate(n=Count("pk"), amount=Sum("gross_amount"))
    total, amount = totals["n"], totals["amount"] or ZERO
    if offset >= total:
        return [], total, amount
    ids = list(qs.values_list("pk", flat=True)[offset : offset + query.perpage])
    previous = Purchase.objects.filter(number__lt=OuterRef("number")).order_by("-number").values("number")[:1]
    following = Purchase.objects.filter(number__gt=OuterRef("number")).order_by("number").values("number")[:1]
    rows = {
        p.pk: p
        for p in Purchase.objects.filter(pk__in=ids)
        .select_related("supplier", "project")
        .annotate(previous_number=Coalesce(Subquery(previous), 0), next_number=Coalesce(Subquery(following), 0))
    }
    return [rows[pk] for pk in ids if pk in rows], total, amount


def purchase_detail(number: int) -> tuple[Purchase, list, list, int, int] | None:  # type: ignore[type-arg]
    purchase = Purchase.objects.select_related("supplier", "project").filter(number=number).first()
    if purchase is None:
        return None
    lines = list(purchase.lines.select_related("nominal", "product", "project").order_by("number"))
    payments = list(purchase.payments.order_by("date", "id"))
    previous_number, next_number = neighbours(purchase.number)
    return purchase, lines, payments, previous_number, next_number


def neighbours(number: int) -> tuple[int, int]:
    """(previous number, next number), 0 when there is none."""
    previous = Purchase.objects.filter(number__lt=number).aggregate(m=Max("number"))["m"]
    following = Purchase.objects.filter(number__gt=number).order_by("number").values_list("number", flat=True).first()
    return previous or 0, following or 0
