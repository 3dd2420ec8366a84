"""ISO 4217 currency codes and the currency names Xunlian callers send instead
(the seed's own example says "人民币")."""

from __future__ import annotations

# Active ISO 4217 codes, without the testing (XTS), "no currency" (XXX),
# precious-metal and bond-unit codes, which never appear on a supplier statement.
_CODES = """
AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN
MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD
SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX
USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
"""
ISO_4217_CODES = frozenset(_CODES.split())

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
