"""Reads of purchases: the KashFlow list (sort, filters, one page) and a single
purchase with everything the detail response shows. Query counts do not grow
with the page size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from apps.purchases.models import Purchase, Supplier
from apps.purchases.services import filter_by_status, neighbours, status_expression

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


def purchase_list_queryset(query: ListQuery, today: dt.date) -> QuerySet[Purchase]:
    qs = Purchase.objects.all()
    if query.filterby in ("ThisMonth", "LastMonth"):
        start, end = _month_bounds(today, 0 if query.filterby == "ThisMonth" else 1)
        qs = qs.filter(issued_date__gte=start, issued_date__lt=end)
    elif query.filterby != "All":
        qs = filter_by_status(qs, query.filterby, today)
    if query.projectnumber:
        qs = qs.filter(project__number=query.projectnumber)
    if query.suppliercode:
        supplier_id = Supplier.objects.filter(code=query.suppliercode).values_list("pk", flat=True).first()
        qs = qs.filter(supplier_id=supplier_id) if supplier_id else qs.none()
    return qs


def purchase_page(query: ListQuery, today: dt.date) -> tuple[list[Purchase], int]:
    """One page of purchases and the total count: three queries whatever the page size.

    The page's ids come from an index walk on (sort column, number); only those
    rows are then read with their supplier and project and neighbour numbers.
    """
    qs = purchase_list_queryset(query, today)
    total = qs.count()
    column = dict(SORT_FIELDS)[query.sortby]
    if column == "status_sort":
        qs = qs.annotate(status_sort=status_expression(today))
    sign = "-" if query.order == "Desc" else ""
    offset = (query.page - 1) * query.perpage
    if offset >= total:
        return [], total
    ids = list(
        qs.order_by(f"{sign}{column}", f"{sign}number").values_list("pk", flat=True)[offset : offset + query.perpage]
    )
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
