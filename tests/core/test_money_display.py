"""The one display rule for money: thousands separators, the currency's ISO 4217
minor units, a visible minus sign; stored precision is never rounded away."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from apps.core.money_display import format_date, format_money, minor_units, money_html


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("1234567.5000"), "EUR", "1,234,567.50"),
        (Decimal("1200.0000"), "JPY", "1,200"),
        (Decimal("1234.5000"), "KWD", "1,234.500"),
        (Decimal("-195.0800"), "GBP", "\u2212195.08"),
        (Decimal("0.0000"), "GBP", "0.00"),
        (Decimal("0.0125"), "EUR", "0.0125"),  # more places than the minor unit: shown, not rounded
        (Decimal("99.5000"), "JPY", "99.5"),
        (Decimal("12"), "", "12.00"),  # no currency: two places
    ],
)
def test_format_money(amount, currency, shown):
    assert format_money(amount, currency) == shown


def test_minor_units_from_iso_4217():
    assert (minor_units("JPY"), minor_units("kwd"), minor_units("EUR"), minor_units("CLF")) == (0, 3, 2, 4)


def test_money_html_is_right_aligned_span_and_marks_negative():
    assert money_html(Decimal("1000"), "EUR") == '<span class="money">1,000.00</span>'
    assert money_html(Decimal("-5"), "JPY") == '<span class="money negative">\u22125</span>'
    assert money_html(None) == '<span class="money">–</span>'


def test_one_localised_date_format():
    import datetime as dt

    day = dt.date(2026, 12, 1)
    with translation.override("en"):
        assert format_date(day) == "1 Dec 2026"
    with translation.override("zh-hans"):
        assert format_date(day) == "2026年12月1日"
