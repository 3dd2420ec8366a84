"""``{% load money %}``: ``{{ amount|money:currency }}`` and ``{{ value|day }}``, the
admin's one display rule for money and dates (apps.core.money_display)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from apps.core.money_display import format_date, money_html

register = template.Library()


@register.filter
def money(amount: Any, currency: str | None = None) -> SafeString:
    return money_html(amount, currency)


@register.filter
def day(value: Any) -> str:
    return format_date(value)
