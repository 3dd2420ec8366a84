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
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Trim, Upper

from apps.purchases.currencies import home_currency
from apps.purchases.models import (
    Product,
    Project,
    Purchase,
    PurchaseLine,
    PurchaseListVersion,
    PurchaseQuerySet,
    Supplier,
)

# (wire name, column); the Swagger enum numbers are the positions 0..8.
SORT_FIELDS: list[tuple[str, str]] = [
    ("Number", "number"),
    ("SupplierReference", "supplier_reference"),
    ("SupplierName", "supplier_name"),
    ("PurchaseDate", "issued_date"),
    ("PaymentDueDate", "due_date"),
    ("GrossAmount", "gross_amount"),
    ("NetAmount", "net_amount"),
    ("Status", "status_sort"),
    ("PaidDate", "paid_date"),
]
ORDERS = ["Asc", "Desc"]
FILTERS = ["All", "Unpaid", "Overdue", "Overpaid", "Paid", "ThisMonth", "LastMonth"]


@dataclass(frozen=True)
class ListQuery:
    page: int = 1
    perpage: int = 50
    sortby: str = "Number"
    order: str = "Asc"
    filterby: str = "All"
    projectnumber: int | None = None
    suppliercode: str | None = None


def _month_bounds(today: dt.date, months_back: int) -> tuple[dt.date, dt.date]:
    year, month = today.year, today.month - months_back
    while month < 1:
        month += 12
        year -= 1
    start = dt.date(year, month, 1)
    end = dt.date(year + (month == 12), month % 12 + 1, 1)
    return start, end


def purchase_list_queryset(query: ListQuery, today: dt.date) -> PurchaseQuerySet:
    qs = Purchase.objects.all()
    if query.filterby in ("ThisMonth", "LastMonth"):
        start, end = _month_bounds(today, 0 if query.filterby == "ThisMonth" else 1)
        qs = qs.filter(issued_date__gte=start, issued_date__lt=end)
    elif query.filterby != "All":
        qs = qs.with_status(query.filterby, today)
    if query.projectnumber:
        qs = qs.filter(project__number=query.projectnumber)
    if query.suppliercode:
        supplier_id = Supplier.objects.by_code(query.suppliercode).values_list("pk", flat=True).first()
        qs = qs.filter(supplier_id=supplier_id) if supplier_id else qs.none()
    return qs


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

_CACHE_ENTRIES = 16
_cache: OrderedDict[tuple[Any, ...], tuple[int, array[int]]] = OrderedDict()
_cache_lock = threading.Lock()
_VERSION = Subquery(PurchaseListVersion.objects.filter(pk=1).values("value")[:1])


def list_version() -> int | None:
    return PurchaseListVersion.objects.filter(pk=1).values_list("value", flat=True).first()


def _cache_get(key: tuple[Any, ...]) -> tuple[int, array[int]] | None:
    with _cache_lock:
        entry = _cache.get(key)
        if entry is not None:
            _cache.move_to_end(key)
        return entry


def _cache_put(key: tuple[Any, ...], version: int, values: Iterable[int]) -> array[int]:
    data = array("q", values)
    with _cache_lock:
        _cache[key] = (version, data)
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_ENTRIES:
            _cache.popitem(last=False)
    return data


def clear_list_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _ordered(query: ListQuery, today: dt.date) -> PurchaseQuerySet:
    qs = purchase_list_queryset(query, today)
    column = dict(SORT_FIELDS)[query.sortby]
    if column == "status_sort":
        qs = qs.annotate_status(today, "status_sort")
    sign = "-" if query.order == "Desc" else ""
    return qs.order_by(f"{sign}{column}", f"{sign}number")


def purchase_page(query: ListQuery, today: dt.date) -> tuple[list[Any], int]:
    """One page of purchases and the total count; the rows carry
    ``previous_number`` and ``next_number``. A constant number of queries
    whatever the page size (one when the cached order is current)."""
    offset = (query.page - 1) * query.perpage
    if connection.in_atomic_block:
        return _page_uncached(query, today, offset)
    # The filters' references are resolved first, so renaming a project or a
    # supplier code (which writes no purchase) cannot serve a stale list.
    key = (today, query.sortby, query.order, query.filterby, _project_id(query), _supplier_id(query))
    for _attempt in range(2):
        entry, numbers = _cache_get(key), _cache_get(("numbers",))
        if entry is None or numbers is None or entry[0] != numbers[0]:
            version = list_version()
            if version is None:
                break
            entry = (version, _cache_put(key, version, _ordered(query, today).values_list("pk", flat=True)))
            numbers = (
                version,
                _cache_put(("numbers",), version, Purchase.objects.order_by("number").values_list("number", flat=True)),
            )
        version, ids = entry
        page_ids = list(ids[offset : offset + query.perpage])
        records, current = _light_records(page_ids)
        if current is None:
            current = list_version()
        if current != version:  # written since: read the order again
            clear_list_cache()
            continue
        return _rows(page_ids, records, numbers[1]), len(ids)
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


def _page_uncached(query: ListQuery, today: dt.date, offset: int) -> tuple[list[Purchase], int]:
    """The same page straight from the database: count, then an index walk for
    the page's ids, then the rows with their neighbour numbers."""
    qs = _ordered(query, today)
    total = qs.count()
    if offset >= total:
        return [], total
    ids = list(qs.values_list("pk", flat=True)[offset : offset + query.perpage])
    previous = Purchase.objects.filter(number__lt=OuterRef("number")).order_by("-number").values("number")[:1]
    following = Purchase.objects.filter(number__gt=OuterRef("number")).order_by("number").values("number")[:1]
    rows = {
        p.pk: p
        for p in Purchase.objects.filter(pk__in=ids)
        .select_related("supplier", "project")
        .annotate(previous_number=Coalesce(Subquery(previous), 0), next_number=Coalesce(Subquery(following), 0))
    }
    return [rows[pk] for pk in ids if pk in rows], total


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


# --- reads for the reconciliation area (statement matching) -------------------------
#
# Matching a supplier's statement reads the supplier, the product codes and every
# purchase line of the supplier and period: a fixed number of queries, whatever
# the number of statement lines or purchases.


# The Supplier field that holds its VAT / tax number, which statements name it by
# (KashFlow's VatNumber).
SUPPLIER_TAX_ID_FIELD = "vat_number"


@dataclass(frozen=True)
class SupplierRef:
    id: int
    code: str
    name: str
    currency_code: str


def _normalised_tax_id() -> Upper:
    return Upper(Trim(SUPPLIER_TAX_ID_FIELD))


def suppliers_with_tax_id(tax_id: str) -> list[SupplierRef]:
    """The suppliers whose tax id, trimmed and upper-cased, is ``tax_id`` (given
    normalised), by code. One query."""
    rows = (
        Supplier.objects.annotate(normalised_tax_id=_normalised_tax_id())
        .filter(normalised_tax_id=tax_id)
        .order_by("code")
        .values_list("pk", "code", "name", "currency_code")
    )
    return [SupplierRef(*row) for row in rows]


def supplier_tax_ids(supplier_ids: Iterable[int]) -> dict[int, str]:
    """Supplier id -> its tax id trimmed and upper-cased (empty when it has none)."""
    rows = (
        Supplier.objects.filter(pk__in=set(supplier_ids))
        .annotate(normalised_tax_id=_normalised_tax_id())
        .values_list("pk", "normalised_tax_id")
    )
    return {pk: tax_id or "" for pk, tax_id in rows}


def product_codes(codes: Iterable[str]) -> dict[str, str]:
    """Upper-cased code -> the product's code as stored, for the products whose
    code equals one of ``codes`` (given upper-cased) ignoring case. One query."""
    wanted = set(codes)
    if not wanted:
        return {}
    rows = Product.objects.annotate(code_upper=Upper("code")).filter(code_upper__in=wanted)
    return dict(rows.values_list("code_upper", "code"))


PurchaseLineRow = namedtuple(
    "PurchaseLineRow",
    [
        "purchase_id",
        "purchase_number",
        "purchase_version",
        "issued_date",
        "currency_code",
        "line_id",
        "line_number",
        "description",
        "quantity",
        "rate",
        "vat_amount",
        "product_code",
    ],
)


def purchase_lines_issued_between(*, supplier_id: int, first_day: dt.date, last_day: dt.date) -> list[PurchaseLineRow]:
    """Every line of the supplier's purchases issued from ``first_day`` to
    ``last_day`` (both included), in (issued date, number, line number) order,
    in one query. ``purchase_version`` is the purchase's last change
    (``updated_at``); ``vat_amount`` the line's VAT as computed on save."""
    rows = (
        PurchaseLine.objects.filter(
            purchase__supplier_id=supplier_id,
            purchase__issued_date__gte=first_day,
            purchase__issued_date__lte=last_day,
        )
        .order_by("purchase__issued_date", "purchase__number", "number")
        .values_list(
            "purchase_id",
            "purchase__number",
            "purchase__updated_at",
            "purchase__issued_date",
            "purchase__currency_code",
            "pk",
            "number",
            "description",
            "quantity",
            "rate",
            "vat_amount",
            "product__code",
        )
    )
    return [PurchaseLineRow(*row) for row in rows]


def books_currency() -> str:
    """The currency of the books (``KASHFLOW_HOME_CURRENCY``)."""
    return home_currency()


def supplier_tax_id(supplier: Supplier) -> str:
    """A supplier's tax id as statements carry it: trimmed, upper case."""
    return (getattr(supplier, SUPPLIER_TAX_ID_FIELD) or "").strip().upper()
