"""Chinese taxpayer identification numbers as they appear on statements."""

from __future__ import annotations

import re

TAX_ID_PATTERN = re.compile(r"[0-9A-Z]{15}|[0-9A-Z]{18}|[0-9A-Z]{20}")

# GB 32100-2015, the 18-character unified social credit code: 31 characters
# (no I, O, S, V, Z); the 18th is a check character over the first 17.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_character(first17: str) -> str | None:
    """The check character for the first 17 characters, or None if one of them
    is outside the code's alphabet."""
    total = 0
    for char, weight in zip(first17, USCC_WEIGHTS, strict=True):
        index = USCC_ALPHABET.find(char)
        if index < 0:
            return None
        total += index * weight
    return USCC_ALPHABET[(31 - total % 31) % 31]


def tax_id_is_well_formed(value: str) -> bool:
    return TAX_ID_PATTERN.fullmatch(value) is not None
