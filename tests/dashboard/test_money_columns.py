"""Every money column of the admin follows the display rule: right-aligned
(``span.money``) with the currency's minor units; totals per currency under the
list, for the filtered set."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse

from apps.ap_balance.models import Snapshot, SnapshotLine
from apps.core.models import ImportJob
from apps.invoices.models import Invoice

pytestmark = pytest.mark.django_db

# Decimal fields that are not money (rates, quantities, factors): shown as numbers.
NOT_MONEY = {"exchange_rate", "tax_rate", "vat_level", "tax_percent", "quantity", "quantity_in_stock", "factor"}


def test_no_list_shows_a_raw_money_field():
    """A Decimal money field named directly in list_display would render left-aligned
    with four places: every one goes through money_column instead."""
    raw = []
    for model, model_admin in admin.site._registry.items():
        for name in model_admin.list_display:
            if not isinstance(name, str):
                continue
            field = next((f for f in model._meta.fields if f.name == name), None)  # None: a method
            if isinstance(field, models.DecimalField) and name not in NOT_MONEY:
                raw.append(f"{model.__name__}.{name}")
    assert raw == []


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-12345-long")
    client.force_login(user)
    return client


def _job(kind: str, scope: str) -> ImportJob:
    return ImportJob.objects.create(kind=kind, scope=scope, status=ImportJob.Status.SUCCEEDED)


def _invoice(job: ImportJob, number: str, currency: str, amount: str, tax: str) -> Invoice:
    return Invoice.objects.create(
        job=job, year=2026, order_id="O", sap_order_id="S", invoice_id=number, amount=Decimal(amount),
        tax_amount=Decimal(tax), due_date=dt.date(2026, 3, 1), distribution_channel="10", currency=currency,
        payer="P", reverse_mark=0, create_date=dt.date(2026, 2, 1), tax_rate=Decimal("0.1"),
        invoice_date=dt.date(2026, 2, 1), invoice_type="M", amount_lc=Decimal(amount), currency_lc=currency,
        tax_amount_lc=Decimal(tax), bill_to="B", row_hash="x",
    )  # fmt: skip


def cells(html: str, column: str) -> list[str]:
    return re.findall(rf'<td class="field-{column}[^"]*">(.*?)</td>', html)


def totals_table(html: str) -> str:
    start = html.index('id="currency-totals"')
    return html[start : html.index("</table>", start)]


def test_invoice_list_money_columns_and_totals(staff):
    job = _job("invoices", "2026")
    _invoice(job, "J1", "JPY", "1234567.0000", "123456.0000")
    _invoice(job, "K1", "KWD", "-1500.2500", "0.0000")
    _invoice(job, "K2", "KWD", "10.0000", "1.0000")
    html = staff.get(reverse("admin:invoices_invoice_changelist")).content.decode()
    amounts = cells(html, "amount_money")
    assert '<span class="money">1,234,567</span>' in amounts
    assert '<span class="money negative">\u22121,500.250</span>' in amounts
    assert '<span class="money">1.000</span>' in cells(html, "tax_amount_money")
    assert "INVOICEID" not in html.upper().replace("INVOICE NUMBER", "")
    # Totals per currency of the filtered list.
    totals = totals_table(html)
    assert '<span class="money negative">\u22121,490.250</span>' in totals  # KWD -1500.25 + 10
    assert '<span class="money">1,234,567</span>' in totals
    filtered = staff.get(reverse("admin:invoices_invoice_changelist") + "?currency__exact=JPY").content.decode()
    assert "KWD" not in totals_table(filtered)
    assert "JPY" in totals_table(filtered)


def test_invoice_detail_money_fields(staff):
    invoice = _invoice(_job("invoices", "2026"), "J1", "JPY", "5000.0000", "500.0000")
    html = staff.get(reverse("admin:invoices_invoice_change", args=[invoice.pk])).content.decode()
    assert '<span class="money">5,000</span>' in html


def test_ap_lines_money_columns(staff):
    job = _job("ap_balance", "snapshot")
    snapshot = Snapshot.objects.create(job=job, received_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), row_count=1)
    SnapshotLine.objects.create(
        snapshot=snapshot, sap_dealer_code="D1", invoice_id="I1", open_balance=Decimal("2500.5000"),
        currency="KWD", amount_lc=Decimal("300000.0000"), currency_lc="JPY", due_date=dt.date(2026, 1, 1),
        row_hash="x",
    )  # fmt: skip
    html = staff.get(reverse("admin:ap_balance_snapshotline_changelist")).content.decode()
    assert cells(html, "open_balance_money") == ['<span class="money">2,500.500</span>']
    assert cells(html, "amount_lc_money") == ['<span class="money">300,000</span>']
