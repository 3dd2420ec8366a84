"""Reads of the reference data as /v2 lists it: suppliers with their paid and
outstanding amounts, projects with what was spent on them, nominals and bank
accounts. Each list is a constant number of queries whatever its page size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Lower

from apps.purchases.models import (
    BankAccount,
    NominalAccount,
    Project,
    Purchase,
    Supplier,
    SupplierContact,
    SupplierQuerySet,
)

MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=20, decimal_places=4)
ZERO = Value(Decimal(0), output_field=MONEY)

SUPPLIER_SORTS = ["Name", "Code", "TotalPaidAmount", "OutstandingBalance"]
_SUPPLIER_COLUMNS = {"Name": "name", "Code": "code", "TotalPaidAmount": "paid", "OutstandingBalance": "outstanding"}
PROJECT_SORTS = ["Number", "Name", "Reference", "Customer", "Status", "Margin", "Id"]
# finhub's projects have no customer: that sort is by number.
_PROJECT_COLUMNS = {
    "Number": "number",
    "Name": "name",
    "Reference": "reference",
    "Customer": "number",
    "Status": "status",
    "Margin": "margin",
    "Id": "id",
}


def _purchase_sum(expression: Any, **filters: OuterRef) -> Coalesce:
    rows = Purchase.objects.filter(**filters).order_by().values(next(iter(filters)))
    return Coalesce(Subquery(rows.annotate(total=Sum(expression)).values("total")[:1], output_field=MONEY), ZERO)


def suppliers_with_amounts() -> SupplierQuerySet:
    """Suppliers annotated with ``paid`` (TotalPaidAmount), ``outstanding``
    (gross - paid of their purchases), ``billed_net`` and ``billed_vat``."""
    return Supplier.objects.select_related("default_nominal", "payment_method").annotate(  # type: ignore[return-value]
        paid=_purchase_sum("total_paid_amount", supplier=OuterRef("pk")),
        outstanding=_purchase_sum(F("gross_amount") - F("total_paid_amount"), supplier=OuterRef("pk")),
        billed_net=_purchase_sum("net_amount", supplier=OuterRef("pk")),
        billed_vat=_purchase_sum("vat_amount", supplier=OuterRef("pk")),
    )


@dataclass(frozen=True)
class SupplierQuery:
    sortby: str = "Name"
    descending: bool = False
    name_starts_with: str = ""
    search_text: str = ""
    include_archived: bool = False
    created_from: dt.date | None = None
    created_to: dt.date | None = None


def supplier_list(query: SupplierQuery) -> QuerySet[Supplier]:
    qs = suppliers_with_amounts().prefetch_related(
        Prefetch("contacts", queryset=SupplierContact.objects.order_by("-is_primary", "id"))
    )
    if not query.include_archived:
        qs = qs.filter(is_archived=False)
    if query.name_starts_with:
        qs = qs.filter(name__istartswith=query.name_starts_with)
    if query.search_text:
        text = query.search_text
        qs = qs.filter(Q(name__icontains=text) | Q(code__icontains=text) | Q(vat_number__icontains=text))
    if query.created_from:
        qs = qs.filter(created_at__date__gte=query.created_from)
    if query.created_to:
        qs = qs.filter(created_at__date__lte=query.created_to)
    column = _SUPPLIER_COLUMNS[query.sortby]
    sign = "-" if query.descending else ""
    return qs.order_by(f"{sign}{column}", f"{sign}id")


def supplier_by_code(code: str) -> Supplier | None:
    qs = suppliers_with_amounts().by_code(code)
    return qs.prefetch_related(
        Prefetch("contacts", queryset=SupplierContact.objects.order_by("-is_primary", "id"))
    ).first()


def projects_with_amounts() -> QuerySet[Project]:
    """Projects annotated with ``expenditure`` (net of their purchases),
    ``purchases_vat`` and ``margin`` (no sales in finhub: minus the expenditure)."""
    return Project.objects.annotate(
        expenditure=_purchase_sum("net_amount", project=OuterRef("pk")),
        purchases_vat=_purchase_sum("vat_amount", project=OuterRef("pk")),
    ).annotate(margin=-F("expenditure"))


@dataclass(frozen=True)
class ProjectQuery:
    sortby: str = "Number"
    descending: bool = False
    statuses: list[str] = field(default_factory=list)
    search_text: str = ""
    number: int | None = None
    name: str = ""
    reference: str = ""
    description: str = ""


def project_list(query: ProjectQuery) -> QuerySet[Project]:
    qs = projects_with_amounts()
    if query.statuses:
        qs = qs.filter(status__in=query.statuses)
    if query.search_text:
        text = query.search_text
        qs = qs.filter(Q(name__icontains=text) | Q(reference__icontains=text) | Q(description__icontains=text))
    if query.number:
        qs = qs.filter(number=query.number)
    if query.name:
        qs = qs.filter(name__icontains=query.name)
    if query.reference:
        qs = qs.filter(reference__icontains=query.reference)
    if query.description:
        qs = qs.filter(description__icontains=query.description)
    column = _PROJECT_COLUMNS[query.sortby]
    sign = "-" if query.descending else ""
    return qs.order_by(f"{sign}{column}", f"{sign}id")


def nominal_list(search_text: str = "") -> QuerySet[NominalAccount]:
    qs = NominalAccount.objects.order_by("code")
    if search_text:
        filters = Q(name__icontains=search_text)
        if search_text.isascii() and search_text.isdigit() and len(search_text) <= 9:
            filters |= Q(code=int(search_text))
        qs = qs.filter(filters)
    return qs


def bank_account_list() -> QuerySet[BankAccount]:
    return BankAccount.objects.order_by(Lower("name"), "id")


def default_bank_account_id() -> int | None:
    """The first bank account created is the default one (finhub keeps no flag)."""
    return BankAccount.objects.order_by("id").values_list("id", flat=True).first()
