"""The admin tour in a real headless Chromium at 1366 px, as finance staff and as
an auditor: sign in, the home page's figures against the data, filter and export
invoices, review statements (confirm; dispute with a reason), create a purchase
with two lines and a payment and read its totals, switch to Chinese; an auditor
sees no write control. Every step is a screenshot; no page scrolls sideways."""

from __future__ import annotations

import re
from decimal import Decimal
from importlib import import_module

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone, translation

from apps.ap_balance.models import Snapshot
from apps.core.importing.partitions import drop_tables
from apps.core.money_display import format_money
from apps.invoices.models import Invoice
from apps.purchases.models import Purchase
from apps.reconciliation.models import ReconciliationStatement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "tour-Pa55word-long"


def seed_migration_data() -> None:
    """What migrations seed (units, the two groups), in case a transactional test
    before this one flushed it."""
    from django.apps import apps as django_apps

    from apps.core.groups import sync_finance_group_permissions

    import_module("apps.reconciliation.migrations.0002_seed_units").seed_units(django_apps, None)
    for name in ("Finance staff", "Auditor"):
        Group.objects.get_or_create(name=name)
    sync_finance_group_permissions()


@pytest.fixture
def data(db):
    cache.clear()
    seed_migration_data()
    with open("/dev/null", "w") as quiet:
        call_command("load_demo_data", stdout=quiet)
    users = {}
    for username, group in (("finance", "Finance staff"), ("auditor", "Auditor")):
        user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        users[username] = user
    yield users
    drop_import_partitions()


def drop_import_partitions() -> None:
    """The demo imports made year / snapshot partitions (tables): the flush after a
    transactional test empties them but leaves them, so drop them for the tests after."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent "
            "WHERE p.relname IN ('invoices_invoice', 'ap_balance_snapshotline') AND c.relname NOT LIKE '%%_default'"
        )
        names = [row[0] for row in cursor.fetchall()]
    drop_tables(names)


def sign_in(tour, username: str) -> None:
    tour.go("/admin/login/?next=/admin/")
    tour.shot(f"{username} sign in")
    tour.page.fill("#id_username", username)
    tour.page.fill("#id_password", PASSWORD)
    tour.page.click("input[type=submit]")
    tour.page.wait_for_selector("#home")


def select2_pick(page, select_id: str, search: str) -> None:
    """Choose in a Django autocomplete (select2) field by typing and taking the first hit."""
    page.click(f"#{select_id} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", search)
    page.wait_for_selector(".select2-container--open .select2-results__option--highlighted")
    page.keyboard.press("Enter")


def test_finance_staff_tour(tour_factory, data):
    tour = tour_factory("finance")
    page = tour.page
    sign_in(tour, "finance")

    # --- the home page: its figures are the data's ------------------------------
    tour.shot("home page")
    assert page.title().endswith("finhub")
    assert page.inner_text("#site-name").strip() == "finhub"
    waiting = ReconciliationStatement.objects.filter(status="received").count()
    assert page.inner_text("#statements-waiting") == str(waiting)
    today = timezone.localdate()
    per_year = (
        Invoice.objects.filter(year__in=[today.year, today.year - 1])
        .values("year", "currency")
        .annotate(n=Count("pk"), amount=Sum("amount"))
    )
    assert per_year
    for row in per_year:
        cells = page.inner_text(f"tr.invoices-{row['year']}-{row['currency']}")
        assert str(row["n"]) in cells
        assert format_money(row["amount"], row["currency"]) in cells
    assert page.locator("#home-ageing svg").count() >= 1

    # --- invoices: filter by a currency, read the totals, export ---------------------
    currency = per_year[0]["currency"]
    year = per_year[0]["year"]
    page.click(f"tr.invoices-{year}-{currency} a.figure >> nth=0")
    page.wait_for_selector("#result_list")
    expected = Invoice.objects.filter(year=year, currency=currency)
    assert page.locator("#result_list tbody tr").count() == min(expected.count(), 100)
    totals = page.inner_text("#currency-totals")
    assert format_money(expected.aggregate(s=Sum("amount"))["s"], currency) in totals
    assert (
        page.eval_on_selector("#result_list td.field-amount_money span.money", "el => getComputedStyle(el).textAlign")
        == "right"
    )
    tour.shot("invoices filtered")
    with page.expect_download() as download_info:
        page.click(".object-tools a:has-text('CSV')")
    download = download_info.value
    content = download.path().read_bytes().decode("utf-8-sig")
    assert len(content.strip().splitlines()) == expected.count() + 1  # header + the filtered rows
    assert download.suggested_filename.endswith(".csv")

    # --- review a statement: totals beside the buttons; confirm ---------------------
    statements = list(ReconciliationStatement.objects.filter(status="received").order_by("pk")[:2])
    assert len(statements) == 2, "the demo data has two statements to review"
    first, second = statements
    tour.go(f"/admin/reconciliation/reconciliationstatement/{first.pk}/change/")
    gross = first.lines.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    assert format_money(gross, first.currency) in page.inner_text("#total-gross")
    assert page.is_visible("#review-buttons")
    tour.shot("statement to review")
    page.click("#review-buttons input[type=submit]")
    page.wait_for_selector(".messagelist")
    first.refresh_from_db()
    assert first.status == "confirmed" and first.reviewed_by.username == "finance"
    tour.shot("statement confirmed")

    # --- dispute another with a reason ---------------------------------------------
    tour.go(f"/admin/reconciliation/reconciliationstatement/{second.pk}/change/")
    page.click("#review-buttons a.button")
    page.wait_for_selector("textarea[name=reason]")
    page.fill("textarea[name=reason]", "Line 2: 3 cartons on the statement, 2 received.")
    tour.shot("dispute reason")
    page.click(".submit-row input[type=submit]")
    page.wait_for_selector(".messagelist")
    second.refresh_from_db()
    assert second.status == "disputed"
    assert second.dispute_reason == "Line 2: 3 cartons on the statement, 2 received."
    tour.shot("statement disputed")

    # --- a purchase with two lines and a payment ------------------------------------
    tour.go("/admin/purchases/purchase/add/")
    select2_pick(page, "id_supplier", "08C")
    page.fill("#id_supplier_reference", "TOUR-1")
    page.fill("#id_issued_date", today.isoformat())
    page.fill("#id_due_date", today.isoformat())
    page.fill("#id_currency_code", "GBP")
    page.fill("#id_exchange_rate", "1")
    for index, (description, quantity, rate, vat) in enumerate(
        [("Brake pads", "2", "10.00", "20"), ("Delivery", "1", "5.50", "0")]
    ):
        page.click("#lines-group .add-row a")
        page.fill(f"#id_lines-{index}-description", description)
        page.fill(f"#id_lines-{index}-quantity", quantity)
        page.fill(f"#id_lines-{index}-rate", rate)
        page.fill(f"#id_lines-{index}-vat_level", vat)
        select2_pick(page, f"id_lines-{index}-nominal", "5000")
    page.click("#payments-group .add-row a")
    page.fill("#id_payments-0-date", today.isoformat())
    page.fill("#id_payments-0-amount", "10.00")
    page.select_option("#id_payments-0-method", label="BACS")
    page.select_option("#id_payments-0-bank_account", label="Current Account")
    tour.shot("purchase form")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    purchase = Purchase.objects.get(supplier_reference="TOUR-1")
    assert (purchase.net_amount, purchase.vat_amount, purchase.gross_amount) == (
        Decimal("25.5"),
        Decimal("4"),
        Decimal("29.5"),
    )
    assert purchase.total_paid_amount == Decimal("10")
    assert page.inner_text(".fieldBox.field-gross_amount_money .readonly").strip() == "29.50"
    assert page.inner_text(".fieldBox.field-net_amount_money .readonly").strip() == "25.50"
    assert page.inner_text(".fieldBox.field-total_paid_amount_money .readonly").strip() == "10.00"
    assert page.inner_text(".fieldBox.field-due_amount_display .readonly").strip() == "19.50"
    assert purchase.history.count() == 1
    assert purchase.history.get().history_user.username == "finance"
    tour.shot("purchase saved with totals")
    page.click(".object-tools a.historylink")
    page.wait_for_selector("#change-history")
    assert "finance" in page.inner_text("#change-history")
    tour.shot("purchase history")

    # --- every other list and form fits 1366 px ------------------------------------
    for path in (
        "/admin/core/importjob/",
        "/admin/ap_balance/snapshot/",
        "/admin/ap_balance/snapshotline/",
        "/admin/ap_balance/snapshot/ageing/",
        f"/admin/ap_balance/snapshot/compare/?before={Snapshot.objects.order_by('pk').first().pk}",
        "/admin/reconciliation/reconciliationstatement/",
        "/admin/purchases/supplier/add/",
        "/admin/purchases/banktransaction/",
        "/admin/core/apiclient/",
    ):
        tour.go(path)
        tour.shot(path.strip("/").split("?")[0].replace("/", " "))

    # --- Chinese: the language switch in the header -------------------------------
    tour.go("/admin/")
    page.select_option("#language-select", "zh-hans")
    page.click("#language-switch button")
    page.wait_for_selector("html[lang=zh-hans]")
    tour.shot("home page in chinese")
    text = page.inner_text("body")
    with translation.override("en"):
        english = {str(model._meta.verbose_name_plural) for model in admin.site._registry}
    shown = sorted(name for name in english if re.search(rf"\b{re.escape(name)}\b", text, re.I))
    assert shown == []
    assert "待审核的对账单" in text
    tour.go("/admin/purchases/purchase/")
    tour.shot("purchases in chinese")
    assert "选择 purchase" not in page.inner_text("body")


def test_auditor_sees_no_write_control(tour_factory, data):
    tour = tour_factory("auditor")
    page = tour.page
    sign_in(tour, "auditor")
    tour.shot("auditor home page")
    assert page.locator("a.addlink >> visible=true").count() == 0
    statement = ReconciliationStatement.objects.filter(status="received").first()
    purchase = Purchase.objects.first()
    for path in (
        "/admin/purchases/purchase/",
        f"/admin/purchases/purchase/{purchase.pk}/change/",
        f"/admin/reconciliation/reconciliationstatement/{statement.pk}/change/",
        "/admin/invoices/invoice/",
        "/admin/purchases/supplier/",
    ):
        tour.go(path)
        tour.shot("auditor " + path.strip("/").replace("/", " "))
        for selector in (
            "a.addlink",
            "input[name=_save]",
            "input[name=_continue]",
            "a.deletelink",
            "#review-buttons",
            ".add-row",
            "a.import_link",
        ):
            assert page.locator(f"{selector} >> visible=true").count() == 0, (path, selector)
        actions = page.locator("select[name=action] option")
        for index in range(actions.count()):
            label = actions.nth(index).inner_text().lower()
            assert not re.search(r"delete|confirm|dispute|revoke|rotate|unlock|issue|match", label), (path, label)
