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

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from apps.core.bounds import BoundsError, FieldBounds, field_bounds
from apps.core.exceptions import ValidationFailed
from apps.reconciliation import messages
from apps.reconciliation.currencies import currency_code
from apps.reconciliation.models import ReconciliationStatement, StatementLine, Unit
from apps.reconciliation.taxids import tax_id_is_well_formed, uscc_check_character

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_MS_TEXT = re.compile(r"-?[0-9]+")
DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


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


def _statement(name: str) -> FieldBounds:
    return field_bounds(ReconciliationStatement, name)


def _line(name: str) -> FieldBounds:
    return field_bounds(StatementLine, name)


# The wire field -> the bounds of the column it lands in.
RECONCILIATION_NO = _statement("reconciliation_no")
BUYER_NAME = _statement("buyer_name")
SUPPLIER_NAME = _statement("supplier_name")
TAX_ID = _statement("buyer_tax_id")
PERIOD = _statement("start_time")
LINE_TEXT = {
    "itemNo": _line("item_no"),
    "itemName": _line("item_name"),
    "specification": _line("specification"),
    "productNo": _line("product_no"),
    "buyerItemName": _line("buyer_item_name"),
    "buyerSpecification": _line("buyer_specification"),
    "unit": field_bounds(Unit, "code"),
}
LINE_NUMBER = {
    "quantity": _line("quantity"),
    "unitPrice": _line("unit_price"),
    "amountWithoutTax": _line("amount_without_tax"),
    "taxPercent": _line("tax_percent"),
    "taxAmount": _line("tax_amount"),
    "amount": _line("amount"),
    "discount": _line("discount"),
}


class _Missing:
    pass


MISSING: Any = _Missing()


class _Collector:
    """Collects ``{index, field, message}`` errors; parse methods return None on error."""

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []

    def add(self, path: str, message: Any, index: int = 0) -> None:
        self.errors.append({"index": index, "field": path, "message": str(message)})

    def text(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        *,
        bounds: FieldBounds,
        required: bool,
        blank: bool,
        index: int = 0,
    ) -> str | None:
        value = data.get(key, MISSING)
        if value is MISSING or value is None:
            if required:
                self.add(path, messages.REQUIRED, index)
                return None
            return ""
        if not isinstance(value, str):
            self.add(path, messages.NOT_A_STRING, index)
            return None
        try:
            value = bounds.text(value, field=path, blank=True)
        except BoundsError as exc:
            self.add(path, exc.message, index)
            return None
        if not value and not blank:
            self.add(path, messages.BLANK, index)
            return None
        return value

    def decimal(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        *,
        bounds: FieldBounds,
        required: bool,
        index: int = 0,
    ) -> Decimal | _Missing | None:
        """A Decimal, None when absent and optional, or MISSING after an error. Stored
        exactly as sent: more precision than the column holds is an error, never a
        silent rounding (10.50000 is fine, 10.12345 is not)."""
        value = data.get(key, MISSING)
        if value is MISSING or value is None:
            if required:
                self.add(path, messages.REQUIRED, index)
                return MISSING
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
            self.add(path, messages.NOT_A_DECIMAL, index)
            return MISSING
        if isinstance(value, str) and not DECIMAL_TEXT.fullmatch(value.strip()):
            self.add(path, messages.NOT_A_DECIMAL, index)
            return MISSING
        if isinstance(value, Decimal) and not value.is_finite():
            self.add(path, messages.NOT_A_DECIMAL, index)
            return MISSING
        try:
            return bounds.decimal(value, field=path, index=index, allow_string=True, as_sent=True)
        except BoundsError as exc:
            self.add(path, exc.message, index)
            return MISSING

    def instant(self, data: dict[str, Any], key: str, *, end_of_day: bool) -> datetime | None:
        value = data.get(key, MISSING)
        if value is MISSING or value is None:
            self.add(key, messages.REQUIRED)
            return None
        moment = parse_instant(value, end_of_day=end_of_day)
        if moment is None:
            self.add(key, messages.NOT_A_TIME)
            return None
        try:
            return PERIOD.datetime(moment, field=key)
        except BoundsError as exc:
            self.add(key, exc.message)
            return None

    def tax_id(self, data: dict[str, Any], key: str) -> str | None:
        value = self.text(data, key, key, bounds=TAX_ID, required=True, blank=False)
        if value is None:
            return None
        value = value.upper()
        if not tax_id_is_well_formed(value):
            self.add(key, messages.TAX_ID_FORMAT)
            return None
        if len(value) == 18:
            expected = uscc_check_character(value[:17])
            if expected is None:
                self.add(key, messages.USCC_CHARACTERS)
                return None
            if value[17] != expected:
                self.add(key, messages.TAX_ID_CHECK_DIGIT.format(expected=expected))
                return None
        return value


def parse_instant(value: Any, *, end_of_day: bool = False) -> datetime | None:
    """Epoch milliseconds (a JSON integer or a string of digits) or ISO 8601.

    A date without a time is the whole day in the configured time zone: the
    start of the day for a period start, its last millisecond for a period end.
    A date-time without an offset is read in the configured time zone.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        value = int(value)
    if isinstance(value, str) and EPOCH_MS_TEXT.fullmatch(value.strip()):
        value = int(value.strip())
    if isinstance(value, int):
        try:
            return EPOCH + timedelta(milliseconds=value)
        except OverflowError:
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        # A date first: parse_datetime would read "2019-05-31" as its midnight.
        day = parse_date(text)
        if day is not None:
            moment = datetime.combine(day, time(23, 59, 59, 999000) if end_of_day else time.min)
        else:
            parsed = parse_datetime(text)
            if parsed is None:
                return None
            moment = parsed
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


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
    errors = _Collector()
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


def _parse_lines(items: Any, errors: _Collector) -> list[LineInput]:
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
    errors: _Collector,
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
