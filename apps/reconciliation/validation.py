"""Parses and validates the body of ``saveReconForApi`` into a StatementInput.

Every problem is collected (not only the first), each under the path of its
field (``itemList[0].quantity``), so the caller can fix them all at once.
Numbers arrive as ``Decimal`` or ``int`` from the JSON loader, never ``float``.

Every field is bounded by its column and its readers (``apps.core.bounds``, read
from the model): text lengths, no NUL / control characters / lone surrogates,
digits and places of each amount, and period instants that every time zone can
show (``9999-12-31T23:00:00-05:00`` is year 10000 in UTC: refused here, since
PostgreSQL would store it and every reader would then fail). The API, the
``import_reconciliation_statement`` command and the admin use these bounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings

from apps.core.bounds import BoundsError, field_bounds
from apps.core.exceptions import ValidationFailed
from apps.reconciliation import messages
from apps.reconciliation.currencies import currency_code
from apps.reconciliation.field_parsing import (
    BUYER_NAME,
    LINE_NUMBER,
    LINE_TEXT,
    MISSING,
    RECONCILIATION_NO,
    SUPPLIER_NAME,
    FieldCollector,
)
from apps.reconciliation.matching.records import statement_line_amounts
from apps.reconciliation.models import StatementMatch, Unit


@dataclass(frozen=True)
class LineInput:
    position: int
    item_no: str
    item_name: str
    specification: str
    product_no: str
    quantity: Decimal
    unit: Unit
    unit_price: Decimal | None
    amount_without_tax: Decimal | None
    tax_percent: Decimal | None
    tax_amount: Decimal | None
    amount: Decimal | None
    discount: Decimal | None
    buyer_item_name: str
    buyer_specification: str


@dataclass(frozen=True)
class StatementInput:
    reconciliation_no: str
    currency: str
    start_time: datetime
    end_time: datetime
    buyer_name: str
    buyer_tax_id: str
    supplier_name: str
    supplier_tax_id: str
    lines: list[LineInput] = field(default_factory=list)


def _units_by_name() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for unit in Unit.objects.filter(is_active=True):
        units[unit.code.upper()] = unit
        if unit.name_zh:
            units.setdefault(unit.name_zh, unit)
    return units


def _within(actual: Decimal, expected: Decimal, tolerance: Decimal) -> bool:
    return abs(actual - expected) <= tolerance


def parse_statement(payload: Any) -> StatementInput:
    """The validated statement, or ValidationFailed listing every problem."""
    errors = FieldCollector()
    if not isinstance(payload, dict):
        errors.add("body", messages.NOT_AN_OBJECT)
        raise ValidationFailed(messages.VALIDATION_FAILED.format(count=1), errors=errors.errors)

    number = errors.text(
        payload, "reconciliationNo", "reconciliationNo", bounds=RECONCILIATION_NO, required=True, blank=False
    )
    currency = ""
    raw_currency = payload.get("currency")
    if raw_currency is not None:
        if not isinstance(raw_currency, str):
            errors.add("currency", messages.NOT_A_STRING)
        elif raw_currency.strip():
            code = currency_code(raw_currency)
            if code is None:
                errors.add("currency", messages.UNKNOWN_CURRENCY)
            else:
                currency = code
    start = errors.instant(payload, "startTime", end_of_day=False)
    end = errors.instant(payload, "endTime", end_of_day=True)
    if start is not None and end is not None and end < start:
        errors.add("endTime", messages.END_BEFORE_START)
    buyer_name = errors.text(payload, "buyCompanyName", "buyCompanyName", bounds=BUYER_NAME, required=True, blank=False)
    buyer_tax_id = errors.tax_id(payload, "buyCompanyTaxId")
    supplier_name = errors.text(
        payload, "supplierCompanyName", "supplierCompanyName", bounds=SUPPLIER_NAME, required=True, blank=False
    )
    supplier_tax_id = errors.tax_id(payload, "supplierCompanyTaxId")

    lines = _parse_lines(payload.get("itemList", MISSING), errors)
    if not errors.errors:
        _check_totals(lines, errors)

    if errors.errors:
        raise ValidationFailed(messages.VALIDATION_FAILED.format(count=len(errors.errors)), errors=errors.errors)
    assert number is not None and start is not None and end is not None  # noqa: S101 - no errors means all parsed
    assert buyer_name is not None and buyer_tax_id is not None  # noqa: S101
    assert supplier_name is not None and supplier_tax_id is not None  # noqa: S101
    return StatementInput(
        reconciliation_no=number,
        currency=currency,
        start_time=start,
        end_time=end,
        buyer_name=buyer_name,
        buyer_tax_id=buyer_tax_id,
        supplier_name=supplier_name,
        supplier_tax_id=supplier_tax_id,
        lines=lines,
    )


def _parse_lines(items: Any, errors: FieldCollector) -> list[LineInput]:
    if items is MISSING or items is None:
        errors.add("itemList", messages.REQUIRED)
        return []
    if not isinstance(items, list):
        errors.add("itemList", messages.NOT_A_LIST)
        return []
    if not items:
        errors.add("itemList", messages.ITEM_LIST_EMPTY)
        return []
    units = _units_by_name()
    tolerance: Decimal = settings.RECONCILIATION_AMOUNT_TOLERANCE
    first_position: dict[str, int] = {}
    lines: list[LineInput] = []
    for position, item in enumerate(items):
        prefix = f"itemList[{position}]"
        if not isinstance(item, dict):
            errors.add(prefix, messages.LINE_NOT_AN_OBJECT, position)
            continue
        before = len(errors.errors)

        def text(key: str, *, required: bool = True, blank: bool = False) -> str | None:
            return errors.text(
                item,  # noqa: B023 - called within this iteration only
                key,
                f"{prefix}.{key}",  # noqa: B023
                bounds=LINE_TEXT[key],
                required=required,
                blank=blank,
                index=position,  # noqa: B023
            )

        def number(key: str, *, required: bool = False) -> Any:
            return errors.decimal(
                item,  # noqa: B023
                key,
                f"{prefix}.{key}",  # noqa: B023
                bounds=LINE_NUMBER[key],
                required=required,
                index=position,  # noqa: B023
            )

        item_no = text("itemNo")
        if item_no is not None:
            if item_no in first_position:
                errors.add(
                    f"{prefix}.itemNo",
                    messages.DUPLICATE_ITEM_NO.format(item_no=item_no, first=first_position[item_no]),
                    position,
                )
            else:
                first_position[item_no] = position
        item_name = text("itemName")
        specification = text("specification", blank=True)
        product_no = text("productNo")
        buyer_item_name = text("buyerItemName")
        buyer_specification = text("buyerSpecification", required=False, blank=True)

        quantity = number("quantity", required=True)
        if isinstance(quantity, Decimal) and quantity <= 0:
            errors.add(f"{prefix}.quantity", messages.MUST_BE_POSITIVE, position)
        unit_price = number("unitPrice")
        if isinstance(unit_price, Decimal) and unit_price < 0:
            errors.add(f"{prefix}.unitPrice", messages.MUST_NOT_BE_NEGATIVE, position)
        amount_without_tax = number("amountWithoutTax")
        tax_percent = number("taxPercent")
        if isinstance(tax_percent, Decimal) and not (0 <= tax_percent < 1):
            errors.add(f"{prefix}.taxPercent", messages.TAX_RATE_RANGE, position)
        tax_amount = number("taxAmount")
        amount = number("amount")
        discount = number("discount")

        unit: Unit | None = None
        unit_name = text("unit")
        if unit_name is not None:
            unit = units.get(unit_name.upper()) or units.get(unit_name)
            if unit is None:
                errors.add(f"{prefix}.unit", messages.UNKNOWN_UNIT.format(unit=unit_name), position)

        if len(errors.errors) > before:
            continue
        _check_amounts(
            prefix,
            position,
            errors,
            tolerance,
            quantity=quantity,
            unit_price=unit_price,
            amount_without_tax=amount_without_tax,
            tax_percent=tax_percent,
            tax_amount=tax_amount,
            amount=amount,
        )
        if len(errors.errors) > before:
            continue
        assert unit is not None  # noqa: S101 - no error means the unit was found
        lines.append(
            LineInput(
                position=position,
                item_no=item_no or "",
                item_name=item_name or "",
                specification=specification or "",
                product_no=product_no or "",
                quantity=quantity,
                unit=unit,
                unit_price=unit_price,
                amount_without_tax=amount_without_tax,
                tax_percent=tax_percent,
                tax_amount=tax_amount,
                amount=amount,
                discount=discount,
                buyer_item_name=buyer_item_name or "",
                buyer_specification=buyer_specification or "",
            )
        )
    return lines


def _check_amounts(
    prefix: str,
    position: int,
    errors: FieldCollector,
    tolerance: Decimal,
    *,
    quantity: Decimal,
    unit_price: Decimal | None,
    amount_without_tax: Decimal | None,
    tax_percent: Decimal | None,
    tax_amount: Decimal | None,
    amount: Decimal | None,
) -> None:
    """The line's amounts agree with each other within the tolerance, where sent.
    The unit price is tax-inclusive (the seed's example: 10 x 4179.43 = amount)."""
    if amount_without_tax is not None and tax_percent is not None and tax_amount is not None:
        expected = amount_without_tax * tax_percent
        if not _within(tax_amount, expected, tolerance):
            errors.add(
                f"{prefix}.taxAmount",
                messages.TAX_MISMATCH.format(tax=tax_amount, expected=expected, tolerance=tolerance),
                position,
            )
    if amount is not None and amount_without_tax is not None and tax_amount is not None:
        expected = amount_without_tax + tax_amount
        if not _within(amount, expected, tolerance):
            errors.add(
                f"{prefix}.amount",
                messages.AMOUNT_MISMATCH.format(amount=amount, expected=expected, tolerance=tolerance),
                position,
            )
    if amount is not None and unit_price is not None:
        expected = quantity * unit_price
        if not _within(amount, expected, tolerance):
            errors.add(
                f"{prefix}.amount",
                messages.PRICE_MISMATCH.format(amount=amount, expected=expected, tolerance=tolerance),
                position,
            )


def _check_totals(lines: list[LineInput], errors: FieldCollector) -> None:
    """The lines' net, tax and gross, as matching derives them, must add up to
    totals the match's columns (and every reader of them) hold: each line fits
    its own columns, but eleven lines of 999999999999999 do not fit a total.
    The totals by kind add up subsets of the lines, so the bound is on the sum
    of the lines' magnitudes: every subset's total then fits too."""
    sums = {"net": Decimal(0), "tax": Decimal(0), "gross": Decimal(0)}
    for line in lines:
        amounts = statement_line_amounts(
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount_without_tax=line.amount_without_tax,
            tax_percent=line.tax_percent,
            tax_amount=line.tax_amount,
            amount=line.amount,
        )
        for part in sums:
            sums[part] += abs(getattr(amounts, part) or 0)
    labels = {"net": messages.TOTAL_NET, "tax": messages.TOTAL_TAX, "gross": messages.TOTAL_GROSS}
    for part, total in sums.items():
        bounds = field_bounds(StatementMatch, f"statement_{part}")
        try:
            bounds.decimal(total.quantize(Decimal("0.0001")), field="itemList")
        except BoundsError:
            largest = bounds.largest_decimal()
            errors.add(
                "itemList", messages.STATEMENT_TOTAL_TOO_LARGE.format(part=labels[part], total=total, largest=largest)
            )
