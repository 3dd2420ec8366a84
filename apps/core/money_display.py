"""One display rule for money in every admin list, detail page and report.

Right-aligned (the ``money`` CSS class), thousands separators, the currency's
minor units from ISO 4217 (JPY 0, KWD 3, most 2), a visible minus sign on
negative amounts. Only the display changes: stored amounts keep their four
decimal places, and a stored amount with more significant places than the
currency's minor units (a unit price of 0.0125 EUR) shows them rather than
hiding them by rounding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils import formats, numberformat, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

# ISO 4217 minor units of the currencies that do not have two (the rest have two).
MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(
        [
            "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF",
            "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF",
        ],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
}  # fmt: skip
DEFAULT_MINOR_UNITS = 2
EMPTY = "–"


def minor_units(currency: str | None) -> int:
    """Decimal places of the currency's minor unit (2 for an unknown or empty code)."""
    return MINOR_UNITS.get((currency or "").strip().upper(), DEFAULT_MINOR_UNITS)


def _places(amount: Decimal, currency: str | None) -> int:
    places = minor_units(currency)
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        return -exponent  # more significant places than the minor unit: show them
    return places


def format_money(amount: Decimal | int | str | None, currency: str | None = None) -> str:
    """``1234567.5`` EUR -> ``1,234,567.50``; JPY ``1200.0000`` -> ``1,200``;
    negative amounts keep their minus sign. Separators follow the active language."""
    value = _finite_decimal(amount)
    if not isinstance(value, Decimal):
        return value
    return _grouped(value, _places(value, currency))


def _finite_decimal(value: Decimal | int | str | None) -> Decimal | str:
    """``value`` as a finite Decimal, or the text to show instead: EMPTY for
    nothing, the value itself when it is not a number or not finite."""
    if value is None or value == "":
        return EMPTY
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return number if number.is_finite() else str(number)


def _grouped(value: Decimal, places: int) -> str:
    text = numberformat.format(
        value,
        formats.get_format("DECIMAL_SEPARATOR"),
        decimal_pos=places,
        grouping=3,
        thousand_sep=formats.get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )
    return text.replace("-", "\u2212") if value < 0 else text


def format_number(value: Decimal | int | str | None) -> str:
    """A quantity or a percentage: the same separators and minus sign as money, and
    only its significant decimal places (``2.0000`` -> ``2``, ``17.5000`` -> ``17.5``)."""
    number = _finite_decimal(value)
    if not isinstance(number, Decimal):
        return number
    exponent = number.normalize().as_tuple().exponent
    return _grouped(number, max(0, -exponent) if isinstance(exponent, int) else 0)


def money_html(amount: Decimal | int | str | None, currency: str | None = None) -> SafeString:
    """The amount in a right-aligned ``<span class="money">`` (``negative`` added
    below zero, so a stylesheet may mark it besides the minus sign)."""
    negative = isinstance(amount, Decimal | int) and amount < 0
    css = "money negative" if negative else "money"
    return format_html('<span class="{}">{}</span>', css, format_money(amount, currency))


def format_date(value: dt.date | dt.datetime | None) -> str:
    """Dates in the one localised format of the admin (``DATE_FORMAT``); a
    datetime is shown as its local date."""
    if value is None:
        return EMPTY
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return formats.date_format(value, "DATE_FORMAT")


CurrencyOf = str | Callable[[Any], str | None]


def _currency(obj: Any, currency: CurrencyOf) -> str | None:
    if callable(currency):
        return currency(obj)
    value: Any = obj
    for part in currency.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return str(value)


def money_column(
    model: type[models.Model],
    field: str,
    *,
    currency: CurrencyOf,
    description: Any = None,
    ordering: str | None = None,
) -> Callable[[Any, Any], SafeString]:
    """A ModelAdmin (or inline) method showing ``field`` by the money rule. Assign it
    as a class attribute and name it in ``list_display`` / ``readonly_fields``.
    ``currency`` is the attribute path of the currency code (``"statement__currency"``)
    or a function of the object."""
    model_field: Any = model._meta.get_field(field)

    def column(model_admin: Any, obj: Any) -> SafeString:
        if obj is None or (getattr(obj, "pk", None) is None and getattr(obj, field, None) is None):
            return money_html(None)
        return money_html(getattr(obj, field), _currency(obj, currency))

    column.__name__ = f"{field}_money"
    column.short_description = description or model_field.verbose_name  # type: ignore[attr-defined]
    column.admin_order_field = ordering or field  # type: ignore[attr-defined]
    return column
