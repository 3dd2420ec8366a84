"""The pricing rules of a purchase: line VAT, totals, home-currency amounts and
the settled state. Pure functions of Decimals (no database), used by the
services that write purchases, by the admin and by the benchmarks.

Rules (from the KashFlow contract, ``kashflow-purchases.md``):

* line VAT = Quantity x Rate x VATLevel / 100, rounded half-up to 2 places
  (0 when VATExempt);
* NetAmount = sum of Quantity x Rate over the lines, rounded half-up to 2 places;
  VATAmount = sum of line VAT; GrossAmount = Net + VAT;
* HomeCurrencyGrossAmount = Gross / ExchangeRate, HomeCurrencyRate = Rate /
  ExchangeRate, HomeCurrencyVATAmount = VAT / ExchangeRate, each rounded
  half-up to 2 places;
* TotalPaidAmount = sum of payments; DueAmount = Gross - Paid;
* settlement: ``na`` when gross and paid are both zero, ``overpaid`` when
  paid > gross, ``paid`` when paid = gross, else ``open`` (the Status is
  derived from it and the due date: ``apps.purchases.models.purchase``);
  PaidDate is the date of the payment with which the running total of
  payments (by date) reached the gross amount.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from apps.purchases.models import Purchase

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal(100)


def round2(value: Decimal) -> Decimal:
    """Half-up to 2 places (the rounding of every computed amount)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_vat(quantity: Decimal, rate: Decimal, vat_level: Decimal, vat_exempt: bool) -> Decimal:
    """VAT of one line: Quantity x Rate x VATLevel (percent) / 100, half-up to 2 places."""
    if vat_exempt:
        return Decimal("0.00")
    return round2(quantity * rate * vat_level / HUNDRED)


def to_home(amount: Decimal, exchange_rate: Decimal) -> Decimal:
    """An amount in the purchase currency in the home currency (amount / rate, 2 places)."""
    if not exchange_rate:
        return round2(amount)
    return round2(amount / exchange_rate)


@dataclass(frozen=True)
class Totals:
    net: Decimal
    vat: Decimal
    gross: Decimal
    home_gross: Decimal
    paid: Decimal
    paid_date: dt.date | None
    settlement: str


def compute_totals(
    lines: Iterable[tuple[Decimal, Decimal, Decimal]],
    payments: Iterable[tuple[dt.date, Decimal]],
    exchange_rate: Decimal,
) -> Totals:
    """``lines``: (quantity, rate, line VAT); ``payments``: (date, amount) in the
    order they were made."""
    net_exact = ZERO
    vat = Decimal("0.00")
    for quantity, rate, vat_amount in lines:
        net_exact += quantity * rate
        vat += vat_amount
    net = round2(net_exact)
    gross = net + vat
    paid = ZERO
    paid_date = None
    for date, amount in sorted(payments, key=lambda p: p[0]):
        paid += amount
        if paid_date is None and gross > 0 and paid >= gross:
            paid_date = date
    if gross == 0 and paid == 0:
        settlement = Purchase.Settlement.NA
    elif paid > gross:
        settlement = Purchase.Settlement.OVERPAID
    elif paid == gross:
        settlement = Purchase.Settlement.PAID
    else:
        settlement = Purchase.Settlement.OPEN
    if settlement == Purchase.Settlement.OPEN:
        paid_date = None
    return Totals(
        net=net,
        vat=vat,
        gross=gross,
        home_gross=to_home(gross, exchange_rate),
        paid=paid,
        paid_date=paid_date,
        settlement=str(settlement),
    )


def apply_totals(purchase: Purchase, totals: Totals) -> None:
    """Copy computed totals onto a purchase (not saved)."""
    purchase.net_amount = totals.net
    purchase.vat_amount = totals.vat
    purchase.gross_amount = totals.gross
    purchase.home_currency_gross_amount = totals.home_gross
    purchase.total_paid_amount = totals.paid
    purchase.paid_date = totals.paid_date
    purchase.settlement = totals.settlement
