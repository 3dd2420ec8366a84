"""Reads for the home page: purchases past their due date, per currency."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Sum

from apps.purchases.models import Purchase


def purchases_overdue_by_currency(*, today: dt.date) -> list[dict[str, Any]]:
    """Per currency: how many purchases are overdue on ``today`` and the amount
    still due on them (gross less paid)."""
    rows = (
        Purchase.objects.overdue(today)
        .order_by()
        .values("currency_code")
        .annotate(count=Count("pk"), due=Sum(F("gross_amount") - F("total_paid_amount")))
        .order_by("currency_code")
    )
    return [{"currency": row["currency_code"], "count": row["count"], "due": row["due"]} for row in rows]
