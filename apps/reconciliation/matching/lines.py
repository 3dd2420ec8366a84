"""The vocabulary of matching: line statuses and difference kinds, product keys,
the 2-place rounding (ROUND_HALF_UP) and the line records the pairing works on.

Source: the project's reconciliation-matching spec ("Line statuses", "Product
key", "Amounts compared").
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

MATCHED = "matched"
QUANTITY_DIFFERS = "quantity_differs"
PRICE_DIFFERS = "price_differs"
AMOUNT_DIFFERS = "amount_differs"
NOT_IN_PURCHASES = "not_in_purchases"
NOT_ON_STATEMENT = "not_on_statement"
OTHER_CURRENCY = "other_currency"
LINE_STATUSES = (
    MATCHED,
    QUANTITY_DIFFERS,
    PRICE_DIFFERS,
    AMOUNT_DIFFERS,
    NOT_IN_PURCHASES,
    NOT_ON_STATEMENT,
    OTHER_CURRENCY,
)
# The kinds the total difference is split into; ``within_tolerance`` holds what
# matched lines differ by (at most the tolerance each) and rounding, so that
# the kinds add up to the difference exactly.
DIFFERENCE_KINDS = ("quantity", "price", "amount", "not_in_purchases", "not_on_statement", "within_tolerance")
KIND_OF_STATUS = {
    QUANTITY_DIFFERS: "quantity",
    PRICE_DIFFERS: "price",
    AMOUNT_DIFFERS: "amount",
    NOT_IN_PURCHASES: "not_in_purchases",
    NOT_ON_STATEMENT: "not_on_statement",
    MATCHED: "within_tolerance",
}

# Notes a pairing may carry (the admin and the exports say them in words).
NOTE_QUANTITY_DIFFERS_TOO = "quantity_differs_too"

KEY_BY_MAPPING = "mapping"
KEY_BY_CODE = "code"
KEY_BY_NAME = "name"

CENT = Decimal("0.01")
ZERO = Decimal(0)


def round2(value: Decimal) -> Decimal:
    """Computed money: half-up to 2 places (the shared rule for computed amounts)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


_SPACES = re.compile(r"\s+")


def normalise_name(*parts: str) -> str:
    """Lower case, whitespace collapsed, the non-empty parts joined by one space."""
    text = " ".join(part.strip() for part in parts if part and part.strip())
    return _SPACES.sub(" ", text).strip().lower()


def code_key(code: str) -> str:
    return "code:" + code.strip().upper()


def name_key(*parts: str) -> str:
    return "name:" + normalise_name(*parts)


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """``itemNo`` order: runs of digits compare as numbers ("2" before "10")."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.findall(r"\d+|\D+", text))


class StatementLineRecord(NamedTuple):
    """A statement line ready for pairing. ``quantity`` is in finhub's unit
    (the statement quantity x the mapping's factor); ``net``/``tax``/``gross``
    are None when the line does not give enough to derive them (then only the
    quantity is compared)."""

    id: int
    item_no: str
    key: str
    key_source: str
    quantity: Decimal
    net: Decimal | None
    tax: Decimal | None
    gross: Decimal | None

    @property
    def suggested(self) -> bool:
        return self.key_source == KEY_BY_NAME


class PurchaseLineRecord(NamedTuple):
    """A purchase line in scope: ``net`` = quantity x rate (exact), ``tax`` the
    line's VAT, ``gross`` = net + tax. ``code_key`` is None without a product."""

    id: int
    purchase_id: int
    purchase_number: int
    issued_date: dt.date
    line_number: int
    code_key: str | None
    name_key: str
    quantity: Decimal
    rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal

    # (A named tuple: a large period has 10,000 of them, made and read fast.)
    @property
    def order(self) -> tuple[dt.date, int, int]:
        return (self.issued_date, self.purchase_number, self.line_number)
