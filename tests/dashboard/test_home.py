"""The home page (the admin index): every figure equals the SQL aggregate over
the data behind it, links to the filtered list that shows it, and a section is
shown only to users who may view its list."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from apps.core.models import ImportJob
from apps.core.money_display import format_money
from apps.purchases.services import LineInput, PurchaseInput, purchase_create

pytestmark = pytest.mark.django_db


def sql(query: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params or [])
        return cursor.fetchall()


@pytest.fixture
def data_set(db):
    """Every area's demo data (imports through the import pipeline), plus overdue
    purchases in two currencies, a failed and a running import, and invoices of
    the current year through the KDP report endpoint."""
    cache.clear()
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    today = timezone.localdate()
    for currency, rate in (("EUR", "12.5"), ("JPY", "1000")):
        for days in (3, 40):
            purchase_create(
                PurchaseInput(
                    supplier_code="08C",
                    issued_date=today - dt.timedelta(days=days + 30),
                    due_date=today - dt.timedelta(days=days),
                    currency_code=currency,
                    exchange_rate=Decimal(1),
                    lines=[LineInput(description="x", quantity=Decimal(2), rate=Decimal(rate), nominal_code=5000)],
                )
            )
    ImportJob.objects.create(kind="invoices", scope="2019", status=ImportJob.Status.FAILED, message="x")
    ImportJob.objects.create(
        kind="ap_balance", scope="snapshot", status=ImportJob.Status.RUNNING, progress_total=10, progress_done=4
    )
    return today


@pytest.fixture
def finance(client):
    user = get_user_model().objects.create_user("fin", password="pw-12345-long", is_staff=True)
    user.groups.add(Group.objects.get(name="Finance staff"))
    client.force_login(user)
    return client


def dec(value) -> Decimal:
    """A sum as stored (4 places): SQLite's raw SQL sums are floats."""
    return Decimal(str(value)).quantize(Decimal("0.0001"))


def section(html: str, name: str) -> str:
    start = html.index(f'id="home-{name}"')
    return html[start : html.index("</section>", start)]


def test_home_figures_equal_sql_aggregates(finance, data_set):
    today = data_set
    html = finance.get("/admin/").content.decode()
    assert "<title>Home | finhub</title>" in html or "| finhub</title>" in html

    # Statements awaiting review.
    [(waiting,)] = sql("SELECT count(*) FROM reconciliation_reconciliationstatement WHERE status = 'received'")
    part = section(html, "statements")
    assert re.search(rf'id="statements-waiting" href="[^"]*status__exact=received">{waiting}</a>', part)
    assert waiting > 0

    # Imports failed / running in the last 7 days.
    since = timezone.now() - dt.timedelta(days=7)
    part = section(html, "imports")
    for status in ("failed", "running"):
        [(count,)] = sql("SELECT count(*) FROM core_importjob WHERE status = %s AND created_at >= %s", [status, since])
        assert count >= 1
        assert re.search(rf'id="imports-{status}" href="[^"]*status__exact={status}[^"]*">{count}</a>', part)
    assert "40%" in part  # the running job's progress

    # Purchases overdue per currency: count and amount still due.
    rows = sql(
        "SELECT currency_code, count(*), sum(gross_amount - total_paid_amount) FROM purchases_purchase "
        "WHERE settlement = 'open' AND due_date < %s GROUP BY currency_code ORDER BY currency_code",
        [today],
    )
    assert {row[0] for row in rows} >= {"EUR", "JPY"}
    part = section(html, "overdue")
    for currency, count, due in rows:
        row_html = part[part.index(f'class="overdue-{currency}"') :]
        row_html = row_html[: row_html.index("</tr>")]
        assert f">{count}</a>" in row_html
        assert f'<span class="money">{format_money(dec(due), currency)}</span>' in row_html
        assert f"status=Overdue&amp;currency_code={currency}" in row_html

    # AP ageing of the current snapshot per currency (cleared lines left out).
    rows = sql(
        "SELECT l.currency, sum(l.open_balance) FROM ap_balance_snapshotline l "
        "JOIN ap_balance_snapshot s ON s.id = l.snapshot_id "
        "WHERE s.is_current AND l.clearing_identification <> 'Y' GROUP BY l.currency ORDER BY l.currency"
    )
    assert rows
    part = section(html, "ageing")
    assert part.count("<svg") == len(rows)
    for currency, total in rows:
        assert f'<span class="money">{format_money(dec(total), currency)}</span>' in part
    # The buckets add up to the total; each bucket's amount is written beside its bar.
    [(not_due,)] = sql(
        "SELECT coalesce(sum(l.open_balance), 0) FROM ap_balance_snapshotline l JOIN ap_balance_snapshot s "
        "ON s.id = l.snapshot_id WHERE s.is_current AND l.clearing_identification <> 'Y' "
        "AND l.currency = %s AND l.due_date >= %s",
        [rows[0][0], today],
    )
    chart = part[part.index("<svg") : part.index("</svg>")]
    assert f">{format_money(dec(not_due), rows[0][0])}</text>" in chart

    # Invoices per year and currency, this year and last.
    rows = sql(
        "SELECT year, currency, count(*), sum(amount), sum(tax_amount) FROM invoices_invoice "
        "WHERE year IN (%s, %s) GROUP BY year, currency ORDER BY year DESC, currency",
        [today.year, today.year - 1],
    )
    part = section(html, "invoices")
    shown = re.findall(r'class="invoices-(\d{4})-([A-Z]{3})"', part)
    assert shown == [(str(year), currency) for year, currency, *_ in rows]
    for year, currency, count, amount, tax in rows:
        row_html = part[part.index(f'class="invoices-{year}-{currency}"') :]
        row_html = row_html[: row_html.index("</tr>")]
        assert f">{count}</a>" in row_html
        assert format_money(dec(amount), currency) in row_html
        assert format_money(dec(tax), currency) in row_html
        assert f"year={year}&amp;currency={currency}" in row_html


def test_home_links_lead_to_lists_with_the_same_figures(finance, data_set):
    html = finance.get("/admin/").content.decode()
    part = section(html, "overdue")
    url = re.search(r'href="([^"]*status=Overdue[^"]*)"', part).group(1).replace("&amp;", "&")
    currency = re.search(r"currency_code=([A-Z]{3})", url).group(1)
    listed = finance.get(url).content.decode()
    count = re.search(rf'class="overdue-{currency}".*?>(\d+)</a>', part, re.S).group(1)
    assert f"{count} " in re.sub(r"<[^>]+>", " ", listed[listed.index('class="paginator"') :])
    part = section(html, "statements")
    url = re.search(r'id="statements-waiting" href="([^"]*)"', part).group(1).replace("&amp;", "&")
    assert finance.get(url).status_code == 200


def test_auditor_sees_the_figures_and_a_user_without_permission_none(client, data_set):
    auditor = get_user_model().objects.create_user("aud", password="pw-12345-long", is_staff=True)
    auditor.groups.add(Group.objects.get(name="Auditor"))
    client.force_login(auditor)
    html = client.get("/admin/").content.decode()
    assert 'id="home-statements"' in html and 'id="home-invoices"' in html
    nobody = get_user_model().objects.create_user("nobody", password="pw-12345-long", is_staff=True)
    client.force_login(nobody)
    html = client.get("/admin/").content.decode()
    assert 'id="home-' not in html


def test_home_counts_statements_in_the_singular_and_the_plural(finance):
    from tests.reconciliation.factories import statement_with_lines

    cache.clear()
    statement_with_lines(1)
    part = section(finance.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode(), "statements")
    assert re.search(r">1</a>\s+statement received and not yet confirmed or disputed</p>", part)
    cache.clear()
    statement_with_lines(1)
    part = section(finance.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode(), "statements")
    assert re.search(r">2</a>\s+statements received and not yet confirmed or disputed</p>", part)
    finance.cookies["django_language"] = "zh-hans"
    part = section(finance.get("/admin/").content.decode(), "statements")
    assert "张已收到、尚未确认或提出异议的对账单" in part and "statements received" not in part
