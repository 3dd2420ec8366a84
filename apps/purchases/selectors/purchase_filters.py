"""What a /v2 purchase list selects and in which order: KashFlow's 13 sort
orders, its 10 ``filterby`` values, and the other filters (supplier, project,
search text, type, issued dates, source)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import F, Q

from apps.purchases.models import Purchase, PurchaseQuerySet, PurchaseStatus, Supplier

# (wire name, column); the Swagger enum numbers are the positions 0..12.
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
    ("DueAmount", "due_sort"),
    ("Type", "purchase_type"),
    ("Project", "project_name"),
    ("VAT", "vat_amount"),
]
ORDERS = ["Asc", "Desc"]
# KashFlow's filterby enum, numbered 0..9; the Status names NA (and those above)
# are accepted by name too.
FILTERS = [
    "All",
    "Unpaid",
    "PartPaid",
    "Overdue",
    "OverduePartPaid",
    "Overpaid",
    "Paid",
    "NotFullyPaid",
    "ThisMonth",
    "LastMonth",
]
FILTER_NAMES = [*FILTERS, "NA"]
TYPES = ["Purchase", "Expense"]
SOURCES = ["MatchingEngine"]


@dataclass(frozen=True)
class ListQuery:
    page: int = 1
    perpage: int = 50
    sortby: str = "Number"
    order: str = "Asc"
    filterby: str = "All"
    projectnumber: int | None = None
    suppliercode: str | None = None
    searchtext: str = ""
    type: str | None = None
    issuedatefrom: dt.date | None = None
    issuedateto: dt.date | None = None
    source: str | None = None
    dosearchwithdueamount: bool = False

    def cache_key(self) -> tuple[object, ...]:
        """What selects and orders the rows (not the page)."""
        return (
            self.sortby,
            self.order,
            self.filterby,
            self.searchtext,
            self.type,
            self.issuedatefrom,
            self.issuedateto,
            self.source,
            self.dosearchwithdueamount,
        )


def _month_bounds(today: dt.date, months_back: int) -> tuple[dt.date, dt.date]:
    year, month = today.year, today.month - months_back
    while month < 1:
        month += 12
        year -= 1
    start = dt.date(year, month, 1)
    end = dt.date(year + (month == 12), month % 12 + 1, 1)
    return start, end


def _filter_by(qs: PurchaseQuerySet, name: str, today: dt.date) -> PurchaseQuerySet:
    if name in ("ThisMonth", "LastMonth"):
        start, end = _month_bounds(today, 0 if name == "ThisMonth" else 1)
        return qs.filter(issued_date__gte=start, issued_date__lt=end)
    if name == "PartPaid":
        return qs.not_fully_paid().part_paid()
    if name == "OverduePartPaid":
        return qs.overdue(today).part_paid()
    if name == "NotFullyPaid":
        return qs.not_fully_paid()
    if name in PurchaseStatus.values:
        return qs.with_status(name, today)
    return qs


def _search(qs: PurchaseQuerySet, text: str, *, with_due_amount: bool) -> PurchaseQuerySet:
    """Search text in the supplier reference, name and code, or the number; with
    ``dosearchwithdueamount`` an amount also finds the purchases due that much."""
    condition = Q(supplier_reference__icontains=text) | Q(supplier_name__icontains=text)
    condition |= Q(supplier_code__icontains=text)
    if text.isascii() and text.isdigit() and len(text) <= 18:
        condition |= Q(number=int(text))
    if with_due_amount:
        try:
            amount = Decimal(text.replace(",", ""))
        except InvalidOperation:
            amount = None
        if amount is not None and amount.is_finite() and abs(amount) < Decimal(10) ** 16:
            qs = qs.alias(due=F("gross_amount") - F("total_paid_amount"))
            condition |= Q(due=amount)
    return qs.filter(condition)


def purchase_list_queryset(query: ListQuery, today: dt.date) -> PurchaseQuerySet:
    qs = _filter_by(Purchase.objects.all(), query.filterby, today)
    if query.projectnumber:
        qs = qs.filter(project__number=query.projectnumber)
    if query.suppliercode:
        supplier_id = Supplier.objects.by_code(query.suppliercode).values_list("pk", flat=True).first()
        qs = qs.filter(supplier_id=supplier_id) if supplier_id else qs.none()
    if query.searchtext:
        qs = _search(qs, query.searchtext, with_due_amount=query.dosearchwithdueamount)
    if query.type:
        qs = qs.filter(purchase_type=query.type)
    if query.issuedatefrom:
        qs = qs.filter(issued_date__gte=query.issuedatefrom)
    if query.issuedateto:
        qs = qs.filter(issued_date__lte=query.issuedateto)
    if query.source == "MatchingEngine":
        # What a bank-payment matching engine can match: purchases with money due.
        qs = qs.not_fully_paid()
    return qs
