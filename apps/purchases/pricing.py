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
* CIS reverse charge (construction industry): the supplier charges no VAT, so
  VATAmount is 0 and GrossAmount = NetAmount; the VAT the buyer accounts for
  instead is CISRCVatAmount (sum of the lines' VAT) on CISRCNetAmount (the
  net); both are 0 on other purchases;
* TotalPaidAmount = sum of payments; DueAmount = Gross - Paid;
* settlement: ``na`` when gross and paid are both zero, ``overpaid`` when
  paid > gross, ``paid`` when paid = gross, else ``open`` (the Status is
  derived from it and the due date: ``apps.purchases.models.purchase``);
  PaidDate is the date of the payment with which the running total of
  payments (by date) reached the gross amount;
* a line may have a negative Quantity (a credit line: a returned item, a
  discount) but not a negative Rate, and the lines may not add up to a
  negative net amount (a supplier's credit note is not a purchase);
* DueDate left out: the issued date plus the supplier's payment terms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from apps.core.bounds import field_bounds
from apps.purchases.models import Purchase, PurchaseLine, Supplier

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
    cis_net: Decimal = ZERO
    cis_vat: Decimal = ZERO


def compute_totals(
    lines: Iterable[tuple[Decimal, Decimal, Decimal]],
    payments: Iterable[tuple[dt.date, Decimal]],
    exchange_rate: Decimal,
    *,
    reverse_charge: bool = False,
) -> Totals:
    """``lines``: (quantity, rate, line VAT); ``payments``: (date, amount) in the
    order they were made."""
    net_exact = ZERO
    vat = Decimal("0.00")
    for quantity, rate, vat_amount in lines:
        net_exact += quantity * rate
        vat += vat_amount
    net = round2(net_exact)
    cis_net, cis_vat = ZERO, ZERO
    if reverse_charge:
        cis_net, cis_vat, vat = net, vat, Decimal("0.00")
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
        cis_net=cis_net,
        cis_vat=cis_vat,
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
    purchase.cis_rc_net_amount = totals.cis_net
    purchase.cis_rc_vat_amount = totals.cis_vat


class _Errors(Protocol):  # services.inputs.FieldErrors (pricing imports no service)
    def add(self, field_name: str, message: str) -> None: ...


_COMPUTED = field_bounds(Purchase, "net_amount")


def line_amount_limit() -> Decimal:
    """The largest amount the computed columns hold on the database in use."""
    return _COMPUTED.largest_decimal()


def check_amounts(lines: list[PurchaseLine], totals: Totals, errors: _Errors) -> None:
    """Refuse what the computed columns (18 digits, 2 places) could not hold, and
    the sign rules of credit lines: a line's Quantity x Rate, its VAT, the totals
    and the home-currency gross; a negative Rate; a negative net total."""
    limit = _COMPUTED.largest_decimal()
    for i, line in enumerate(lines):
        if line.rate < 0:
            errors.add(f"LineItems[{i}].Rate", "must be 0 or more (a credit line has a negative Quantity)")
        if abs(line.vat_amount) > limit:
            errors.add(f"LineItems[{i}].VATAmount", f"larger than {limit}")
    for name, value in (("NetAmount", totals.net), ("GrossAmount", totals.gross)):
        if abs(value) > limit:
            errors.add("LineItems", f"the lines' {name} {value} is larger than {limit}")
            return
    if abs(totals.home_gross) > limit or abs(totals.paid) > limit:
        errors.add("Currency.ExchangeRate", f"the gross amount in the home currency is larger than {limit}")
    if totals.net < 0:
        errors.add(
            "LineItems", f"the lines add up to a negative net amount {totals.net}; a credit note is not a purchase"
        )


def supplier_due_date(supplier: Supplier, issued: dt.date) -> dt.date:
    """The due date of a purchase sent without one: the issued date plus the
    supplier's payment terms (days after the issued date, or after the end of
    the issue month); no terms: the issued date."""
    days = dt.timedelta(days=supplier.payment_terms_days or 0)
    if supplier.payment_terms_type == Supplier.PaymentTermsType.AFTER_END_OF_MONTH:
        next_month = (issued.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return next_month - dt.timedelta(days=1) + days
    return issued + days
