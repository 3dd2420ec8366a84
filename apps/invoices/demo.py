"""Demo invoices: two years of a small dealer network, loaded through the real
import pipeline (so the admin shows import jobs too). Idempotent."""

from __future__ import annotations

import hashlib
import io
import json
import re
from decimal import Decimal

from apps.core.importing.pipeline import import_job_apply, import_report_submit
from apps.invoices.models import Invoice
from apps.invoices.services import KIND

DEALERS = ["0017001245", "0017001420", "0017002033", "0017009999"]
CURRENCIES = ["EUR", "EUR", "GBP", "USD"]


def _rows(year: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for n in range(40):
        month, day = 1 + n % 12, 1 + (n * 7) % 28
        amount = Decimal(250 + n * 37) + Decimal("0.50")
        tax = (amount / 6).quantize(Decimal("0.01"))
        sign = -1 if n % 13 == 12 else 1  # every 13th is a cancellation of the one before
        dealer = DEALERS[n % len(DEALERS)]
        rows.append(
            {
                "orderId": f"SO-{year}-{n:06d}",
                "sapOrderId": f"{10004700 + n:010d}",
                "invoiceId": f"{year % 100:02d}9{n:07d}",
                "amount": sign * amount,
                "taxAmount": str(sign * tax),
                "dueDate": f"{year}{min(month + 1, 12):02d}{day:02d}",
                "distributionChannel": "10",
                "deliveryNote": f"{80031000 + n:010d}",
                "currency": CURRENCIES[n % len(CURRENCIES)],
                "payer": dealer,
                "reverseMark": 1 if sign < 0 else 0,
                "createDate": f"{year}{month:02d}{day:02d}",
                "taxRate": Decimal("0.2"),
                "taxCode": "A1",
                "invoiceDate": f"{year}-{month:02d}-{day:02d}",
                "orderItem": "000010",
                "reverseId": f"{year % 100:02d}9{n - 1:07d}" if sign < 0 else "",
                "invoiceType": "S" if sign < 0 else "M",
                "amountLC": sign * amount,
                "currencyLC": "EUR",
                "taxAmountLC": sign * tax,
                "orderItems": [{"itemNo": "000010"}],
                "billTo": dealer,
            }
        )
    return rows


def _to_json(rows: list[dict[str, object]]) -> bytes:
    """JSON with Decimal amounts written as JSON numbers, exactly, as SAP sends them."""
    marked = json.dumps(rows, default=lambda value: f"__decimal__{value}")
    return re.sub(r'"__decimal__([-0-9.]+)"', r"\1", marked).encode()


def load_demo_data() -> str:
    if Invoice.objects.exists():
        return "invoices already there"
    loaded = []
    for year in (2025, 2026):
        body = io.BytesIO(_to_json(_rows(year)))
        submitted = import_report_submit(
            kind=KIND,
            body=body,
            params={},
            body_sha256=hashlib.sha256(body.getvalue()).hexdigest(),
            body_size=len(body.getvalue()),
            source="demo data",
            enqueue=False,
        )
        import_job_apply(job_id=submitted.job.pk)
        loaded.append(f"{submitted.rows} invoices for {year}")
    return ", ".join(loaded)
