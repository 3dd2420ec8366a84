"""Bar charts drawn on the server as inline SVG: no script, no CDN. Every bar has
its label and its amount written beside it, so the chart reads without colour;
a negative amount is drawn with a dashed outline besides its minus sign."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from apps.core.money_display import format_money

WIDTH = 360
LABEL_WIDTH = 96
BAR_HEIGHT = 18
GAP = 6
VALUE_ROOM = 110


def bucket_labels() -> dict[str, Any]:
    return {
        "not_yet_due": _("Not yet due"),
        "days_1_30": _("1-30 days"),
        "days_31_60": _("31-60 days"),
        "days_61_90": _("61-90 days"),
        "over_90": _("Over 90 days"),
    }


def ageing_bar_chart(buckets: list[dict[str, Any]], *, currency: str) -> SafeString:
    """One horizontal bar per bucket, its length proportional to the amount."""
    largest = max((abs(Decimal(b["amount"])) for b in buckets), default=Decimal(0)) or Decimal(1)
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    rows = []
    for index, bucket in enumerate(buckets):
        amount = Decimal(bucket["amount"])
        y = index * (BAR_HEIGHT + GAP)
        length = int((abs(amount) / largest * room).to_integral_value()) if amount else 0
        rows.append(
            (
                y + BAR_HEIGHT - 5,
                bucket["label"],
                LABEL_WIDTH,
                y,
                length,
                BAR_HEIGHT,
                "bar negative" if amount < 0 else "bar",
                "4 2" if amount < 0 else "none",
                LABEL_WIDTH + length + 4,
                y + BAR_HEIGHT - 5,
                format_money(amount, currency),
            )
        )
    height = len(buckets) * (BAR_HEIGHT + GAP)
    body = format_html_join(
        "",
        '<text class="bar-label" x="0" y="{}">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" class="{}" stroke-dasharray="{}"></rect>'
        '<text class="bar-label" x="{}" y="{}">{}</text>',
        rows,
    )
    return format_html(
        '<svg class="bar-chart" role="img" aria-label="{}" width="{}" height="{}" viewBox="0 0 {} {}">{}</svg>',
        _("Ageing of open items in %(currency)s") % {"currency": currency},
        WIDTH,
        height,
        WIDTH,
        height,
        body,
    )
