"""The figures of the home page. Each read is bounded: a count and a few rows,
the invoice totals from their aggregate table, the ageing totals cached per
snapshot and day. Each figure carries the URL of the filtered list behind it."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from apps.ap_balance.selectors import AGEING_BUCKETS, ageing_totals_current
from apps.core.admin import import_kind_label
from apps.core.selectors import import_jobs_needing_attention
from apps.dashboard.charts import ageing_bar_chart, bucket_labels
from apps.invoices.selectors import invoice_year_totals
from apps.purchases.overdue import purchases_overdue_by_currency
from apps.reconciliation.selectors import statements_awaiting_review

IMPORT_DAYS = 7
IMPORT_ROWS = 10
INVOICE_YEARS = 2


def _url(name: str, **query: Any) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


def _can_view(user: Any, perm: str) -> bool:
    return bool(user.has_perm(perm))


def statements_section() -> dict[str, Any]:
    waiting = statements_awaiting_review()
    oldest = waiting["oldest"]
    return {
        "count": waiting["count"],
        "url": _url("admin:reconciliation_reconciliationstatement_changelist", status__exact="received"),
        "oldest": oldest,
        "oldest_url": (
            reverse("admin:reconciliation_reconciliationstatement_change", args=[oldest.pk]) if oldest else None
        ),
    }


def imports_section(*, now: dt.datetime) -> dict[str, Any]:
    since = now - dt.timedelta(days=IMPORT_DAYS)
    jobs = import_jobs_needing_attention(since=since)
    since_param = since.strftime("%Y-%m-%d %H:%M:%S")
    counts = {}
    for status in ("failed", "running", "queued"):
        counts[status] = {
            "count": jobs.filter(status=status).count(),
            "url": _url("admin:core_importjob_changelist", status__exact=status, created_at__gte=since_param),
        }
    return {
        "days": IMPORT_DAYS,
        "counts": counts,
        "jobs": [
            {
                "job": job,
                "kind_label": import_kind_label(job.kind),
                "url": reverse("admin:core_importjob_change", args=[job.pk]),
            }
            for job in jobs[:IMPORT_ROWS]
        ],
    }


def overdue_section(*, today: dt.date) -> list[dict[str, Any]]:
    rows = purchases_overdue_by_currency(today=today)
    for row in rows:
        row["url"] = _url("admin:purchases_purchase_changelist", status="Overdue", currency_code=row["currency"])
    return rows


def ageing_section(*, today: dt.date) -> dict[str, Any]:
    snapshot, totals = ageing_totals_current(as_of=today)
    labels = bucket_labels()
    currencies = []
    for row in totals:
        url = _url("admin:ap_balance_ageing", currency=row["currency"])
        buckets = [
            {"key": name, "label": labels[name], "amount": row[name], "url": url} for name, _lo, _hi in AGEING_BUCKETS
        ]
        currencies.append(
            {
                "currency": row["currency"],
                "buckets": buckets,
                "total": row["total"],
                "url": url,
                "chart": ageing_bar_chart(buckets, currency=row["currency"]),
            }
        )
    return {"snapshot": snapshot, "as_of": today, "currencies": currencies}


def invoices_section(*, today: dt.date) -> dict[str, Any]:
    years = [today.year - offset for offset in range(INVOICE_YEARS)]
    rows = [
        {
            "year": total.year,
            "currency": total.currency,
            "count": total.invoice_count,
            "amount": total.amount,
            "tax_amount": total.tax_amount,
            "url": _url("admin:invoices_invoice_changelist", year=total.year, currency=total.currency),
        }
        for total in invoice_year_totals(years=years)
    ]
    return {"years": years, "rows": rows}


def home_figures(user: Any) -> dict[str, Any]:
    """The sections the user may see (each needs the view permission of its list)."""
    now = timezone.now()
    today = timezone.localdate(now)
    figures: dict[str, Any] = {"today": today}
    if _can_view(user, "reconciliation.view_reconciliationstatement"):
        figures["statements"] = statements_section()
    if _can_view(user, "core.view_importjob"):
        figures["imports"] = imports_section(now=now)
    if _can_view(user, "purchases.view_purchase"):
        figures["overdue"] = overdue_section(today=today)
    if _can_view(user, "ap_balance.view_snapshot"):
        figures["ageing"] = ageing_section(today=today)
    if _can_view(user, "invoices.view_invoice"):
        figures["invoices"] = invoices_section(today=today)
    return figures
