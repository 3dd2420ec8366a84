"""Reads for the reconciliation area (statement matching): suppliers by tax id,
product codes, the lines of a supplier's purchases in a period."""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models.functions import Trim, Upper

from apps.purchases.currencies import home_currency
from apps.purchases.models import Product, PurchaseLine, Supplier

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
