"""ISO 4217 currency codes and the currency names Xunlian callers send instead
(the seed's own example says "人民币")."""

from __future__ import annotations

from apps.core.parsing import ISO_4217_CODES

# Names (Chinese and English, compared case-insensitively) that map to a code.
CURRENCY_NAMES = {
    "人民币": "CNY",
    "人民币元": "CNY",
    "元": "CNY",
    "rmb": "CNY",
    "renminbi": "CNY",
    "chinese yuan": "CNY",
    "yuan": "CNY",
    "美元": "USD",
    "美金": "USD",
    "us dollar": "USD",
    "欧元": "EUR",
    "euro": "EUR",
    "日元": "JPY",
    "japanese yen": "JPY",
    "港币": "HKD",
    "港元": "HKD",
    "hong kong dollar": "HKD",
    "英镑": "GBP",
    "pound sterling": "GBP",
    "新台币": "TWD",
    "澳门元": "MOP",
    "韩元": "KRW",
    "澳元": "AUD",
    "加元": "CAD",
    "瑞士法郎": "CHF",
    "新加坡元": "SGD",
}


def currency_code(value: str) -> str | None:
    """The ISO 4217 code for a code (any case) or a known name, else None."""
    text = value.strip()
    if text.upper() in ISO_4217_CODES:
        return text.upper()
    return CURRENCY_NAMES.get(text.lower())
