"""ISO 4217 currencies (names from pycountry) and the symbols KashFlow shows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

import pycountry
from django.conf import settings

from apps.core.parsing import ISO_4217_CODES

SYMBOLS = {
    "GBP": "£",
    "EUR": "€",
    "USD": "$",
    "AUD": "$",
    "CAD": "$",
    "NZD": "$",
    "HKD": "$",
    "SGD": "$",
    "JPY": "¥",
    "CNY": "¥",
    "CHF": "CHF",
    "INR": "₹",
    "ZAR": "R",
    "SEK": "kr",
    "NOK": "kr",
    "DKK": "kr",
    "PLN": "zł",
    "KRW": "₩",
}
# Currencies whose symbol is written after the amount.
SYMBOL_ON_RIGHT = {"SEK", "NOK", "DKK", "PLN", "CHF"}


@dataclass(frozen=True)
class CurrencyInfo:
    code: str
    name: str
    symbol: str
    display_symbol_on_right: bool


@cache
def _known() -> dict[str, CurrencyInfo]:
    return {
        c.alpha_3: CurrencyInfo(
            code=c.alpha_3,
            name=c.name,
            symbol=SYMBOLS.get(c.alpha_3, c.alpha_3),
            display_symbol_on_right=c.alpha_3 in SYMBOL_ON_RIGHT,
        )
        for c in pycountry.currencies
        if c.alpha_3 in ISO_4217_CODES
    }


def currency_info(code: str) -> CurrencyInfo | None:
    return _known().get((code or "").strip().upper())


def home_currency() -> str:
    return settings.KASHFLOW_HOME_CURRENCY


@lru_cache(maxsize=512)
def currency_block(code: str, rate: Decimal) -> dict[str, object]:
    """The Currency object of a purchase (shared between rows: never mutate it)."""
    info = currency_info(code)
    return {
        "Code": code,
        "Name": info.name if info else code,
        "Symbol": info.symbol if info else code,
        "ExchangeRate": rate,
        "DisplaySymbolOnRight": info.display_symbol_on_right if info else False,
    }
