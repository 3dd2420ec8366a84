"""Money, currency and date parsing shared by every import.

Each ``parse_*`` returns the clean value or raises ``FieldError`` with a
translatable message; importers turn that into ``{index, field, message}``.
Money is Decimal from the JSON parser on: numbers arrive as int or Decimal
(ijson / ``json.loads(parse_float=Decimal)``), never as float.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import pycountry
from django.db import connection
from django.utils.translation import gettext_lazy as _

from apps.core.message_text import Msg

MONEY_PLACES = 4
MONEY_INTEGER_DIGITS = 16  # DecimalField(max_digits=20, decimal_places=4)
_QUANTUM = {places: Decimal(1).scaleb(-places) for places in range(10)}

REQUIRED = _("This field is required.")
NOT_A_STRING = _("Must be a string.")
EMPTY = _("Must not be empty.")
NOT_A_NUMBER = _("Must be a number.")
NOT_A_NUMBER_OR_STRING = _("Must be a number or a numeric string.")
TOO_MANY_PLACES = _("At most {places} decimal places.")
TOO_LARGE = _("Too large: at most {digits} digits before the decimal point.")
NOT_AN_INTEGER = _("Must be an integer.")
NOT_A_DATE = _("Must be a date as YYYYMMDD or YYYY-MM-DD.")
NOT_A_CURRENCY = _("Must be an ISO 4217 currency code.")
NOT_ONE_OF = _("Must be one of: {choices}.")
NOT_A_LIST = _("Must be a list.")
NOT_AN_OBJECT = _("Must be an object.")
OUT_OF_RANGE = _("Must be at least {low} and less than {high}.")
TOO_MANY_SIGNIFICANT_DIGITS = _("At most {digits} significant digits on this database.")

# SQLite keeps a decimal as a double: past 15 significant digits it reads back
# another number (or fails to convert), so there a value must have at most 15.
SQLITE_DECIMAL_DIGITS = 15
# A numeric string: ASCII digits only ("1_000", "١٢٣" and "1e3" are Decimal() text, not amounts).
_DECIMAL_TEXT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


@lru_cache(maxsize=1)
def _on_sqlite() -> bool:
    return connection.vendor == "sqlite"


class FieldError(Exception):
    def __init__(self, message: object) -> None:
        self.message = message
        super().__init__(str(message))


# ISO 4217 (pycountry's table), less the codes that never name the currency of an
# invoice, a balance or a bill: precious metals, bond-market units, SDR/SUCRE/ADB
# units, testing (XTS) and "no currency" (XXX). One table for every wire format.
NOT_MONEY_CODES = frozenset({"XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"})
ISO_4217_CODES = frozenset(currency.alpha_3 for currency in pycountry.currencies) - NOT_MONEY_CODES


def parse_currency(value: object) -> str:
    if not isinstance(value, str):
        raise FieldError(NOT_A_CURRENCY)
    code = value.strip().upper()
    if code not in ISO_4217_CODES:
        raise FieldError(NOT_A_CURRENCY)
    return code


def _check_decimal(value: Decimal, places: int) -> Decimal:
    """Check a Decimal is finite, has at most ``places`` significant decimal places
    and fits the column; return it at exactly ``places`` places (1200.0 and
    1200.00 are the same amount, stored and compared alike; so are -0.0 and 0)."""
    if not value.is_finite():
        raise FieldError(NOT_A_NUMBER)
    try:
        quantized = value.quantize(_QUANTUM[places])
    except InvalidOperation:  # more digits than the decimal context holds
        raise FieldError(Msg(TOO_LARGE, digits=MONEY_INTEGER_DIGITS)) from None
    if quantized != value:
        raise FieldError(Msg(TOO_MANY_PLACES, places=places))
    if not quantized:  # -0.00 is the amount 0: written (and digested) as 0.00
        quantized = quantized.copy_abs()
    if quantized and quantized.adjusted() >= MONEY_INTEGER_DIGITS:
        raise FieldError(Msg(TOO_LARGE, digits=MONEY_INTEGER_DIGITS))
    if _on_sqlite() and quantized and len(quantized.normalize().as_tuple().digits) > SQLITE_DECIMAL_DIGITS:
        raise FieldError(Msg(TOO_MANY_SIGNIFICANT_DIGITS, digits=SQLITE_DECIMAL_DIGITS))
    return quantized


def parse_money(value: object, *, allow_string: bool = False, places: int = MONEY_PLACES) -> Decimal:
    """A JSON number (int or Decimal; never bool), or with ``allow_string`` a numeric
    string, with at most ``places`` decimal places."""
    if isinstance(value, Decimal):
        return _check_decimal(value, places)
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= 10**MONEY_INTEGER_DIGITS:
            raise FieldError(Msg(TOO_LARGE, digits=MONEY_INTEGER_DIGITS))
        return _check_decimal(Decimal(value), places)
    if allow_string and isinstance(value, str):
        text = value.strip()
        if not _DECIMAL_TEXT.fullmatch(text):
            raise FieldError(NOT_A_NUMBER_OR_STRING)
        return _check_decimal(Decimal(text), places)
    raise FieldError(NOT_A_NUMBER_OR_STRING if allow_string else NOT_A_NUMBER)


def parse_fraction(value: object, *, places: int = 6) -> Decimal:
    """A rate as a fraction: 0 <= x < 1 (20% is 0.2)."""
    number = parse_money(value, places=places)
    if not (Decimal(0) <= number < Decimal(1)):
        raise FieldError(Msg(OUT_OF_RANGE, low=0, high=1))
    return number


@lru_cache(maxsize=8192)
def _parse_date_text(value: str) -> dt.date:
    text = value.strip()
    if not text.isascii():  # full-width digits are digits to str.isdigit, not to SAP
        raise FieldError(NOT_A_DATE)
    if len(text) == 8 and text.isdigit():
        year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    elif len(text) == 10 and text[4] == "-" and text[7] == "-" and (text[:4] + text[5:7] + text[8:]).isdigit():
        year, month, day = int(text[:4]), int(text[5:7]), int(text[8:])
    else:
        raise FieldError(NOT_A_DATE)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise FieldError(NOT_A_DATE) from None


def parse_date(value: object) -> dt.date:
    """``YYYYMMDD`` (the spec) or ``YYYY-MM-DD`` (the spec's own examples)."""
    if not isinstance(value, str):
        raise FieldError(NOT_A_DATE)
    return _parse_date_text(value)


def parse_text(value: object, *, required: bool = True, max_length: int = 255) -> str:
    if not isinstance(value, str):
        raise FieldError(NOT_A_STRING)
    if required and not value.strip():
        raise FieldError(EMPTY)
    if len(value) > max_length:
        raise FieldError(Msg(_("At most {n} characters."), n=max_length))
    return value


def parse_choice(value: object, choices: tuple[object, ...]) -> object:
    """One of ``choices``, of the same JSON type: 1.0 and true are not the integer 1."""
    if not any(type(value) is type(choice) and value == choice for choice in choices):
        raise FieldError(Msg(NOT_ONE_OF, choices=", ".join(str(c) for c in choices)))
    return value


def fiscal_year(day: dt.date, start_month: int) -> int:
    """The fiscal year a date falls in, named by the calendar year in which it starts."""
    return day.year if day.month >= start_month else day.year - 1


def text_parser(*, required: bool = True, max_length: int = 255) -> Callable[[object], str]:
    """A parse_text with its options bound (one call per value on the import hot path)."""
    too_long = _("At most {n} characters.").format(n=max_length)

    def parse(value: object) -> str:
        if type(value) is not str:
            raise FieldError(NOT_A_STRING)
        if len(value) > max_length:
            raise FieldError(too_long)
        if required and not value.strip():
            raise FieldError(EMPTY)
        return value

    return parse


def money_parser(*, allow_string: bool = False, places: int = MONEY_PLACES) -> Callable[[object], Decimal]:
    """A parse_money with its options bound; JSON numbers with a fraction arrive as Decimal."""

    def parse(value: object) -> Decimal:
        if type(value) is Decimal:
            return _check_decimal(value, places)  # type: ignore[arg-type]
        return parse_money(value, allow_string=allow_string, places=places)

    # Read by the import's fast path (apps.core.importing.blocks.money_column).
    parse.money_places = places  # type: ignore[attr-defined]
    parse.money_allow_string = allow_string  # type: ignore[attr-defined]
    return parse
