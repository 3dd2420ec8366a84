"""The field parsers of a Xunlian statement body: an error collector whose parse
methods check one field each against its bounds (``apps.core.bounds``) and
return None on error, and the instant parser (epoch milliseconds or ISO 8601).
Used by ``apps.reconciliation.validation``."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from apps.core.bounds import BoundsError, FieldBounds, field_bounds
from apps.reconciliation import messages
from apps.reconciliation.models import ReconciliationStatement, StatementLine, Unit
from apps.reconciliation.taxids import tax_id_is_well_formed, uscc_check_character


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


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_MS_TEXT = re.compile(r"-?[0-9]+")
DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


class _Missing:
    pass


MISSING: Any = _Missing()


class FieldCollector:
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
    if not text.isascii():  # Django's parsers take any Unicode digit ("２０１９")
        return None
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
