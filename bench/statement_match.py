"""Statement matching bench: one supplier statement against that supplier's
purchases of the period.

    python bench/statement_match.py [--purchases 10000] [--lines 200] [--runs 5]

Loads ``--purchases`` purchases (one line each, 500 products) of one supplier in
one month, and a statement of ``--lines`` lines for that supplier and month
(about 70% matching a purchase exactly, the rest split between a quantity
difference, a price difference, two deliveries on one line, and products not in
purchases), then matches the statement ``--runs`` times as ``match_statements``
does (read the scope, pair, store the result). Prints statements matched per
second, the median and slowest run, the queries of one run and the line
statuses. Target: under 1 s per statement at 200 lines / 10,000 purchases.

Uses its own database (BENCH_DATABASE_URL, default finhub_bench_statement_match
on 127.0.0.1), recreated on every run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import bench_database_url, migrate, recreate_database, setup_django

SUPPLIER_TAX_ID = "310106666888888"
BUYER_TAX_ID = "91500103MA5UAHBY29"
FIRST_DAY = dt.date(2026, 10, 1)
DAYS = 31
PRODUCTS = 500
CENT = Decimal("0.01")
VAT_LEVEL = Decimal(6)


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def load_purchases(count: int, rng: random.Random) -> list[tuple[str, Decimal, Decimal]]:
    """The supplier's purchases of the month, one line each, written in bulk.
    Returns (product code, quantity, rate) per line, in purchase order."""
    from django.db import transaction

    from apps.purchases.models import NominalAccount, Product, Purchase, PurchaseLine, Supplier
    from apps.purchases.selectors import SUPPLIER_TAX_ID_FIELD

    supplier = Supplier.objects.create(code="BENCH", name="Bench supplier", **{SUPPLIER_TAX_ID_FIELD: SUPPLIER_TAX_ID})
    nominal = NominalAccount.objects.create(code=5000, name="Materials Purchased")
    products = Product.objects.bulk_create(Product(code=f"P-{i:04d}", name=f"Product {i}") for i in range(PRODUCTS))
    by_code = {product.code: product for product in products}
    lines: list[tuple[str, Decimal, Decimal]] = []
    with transaction.atomic():
        purchases, purchase_lines = [], []
        for number in range(1, count + 1):
            product = products[rng.randrange(PRODUCTS)]
            quantity = Decimal(rng.randrange(1, 50))
            rate = Decimal(rng.randrange(100, 500_000)) / 100
            net = round2(quantity * rate)
            vat = round2(quantity * rate * VAT_LEVEL / 100)
            issued = FIRST_DAY + dt.timedelta(days=number % DAYS)
            purchases.append(
                Purchase(
                    number=number,
                    supplier=supplier,
                    supplier_code=supplier.code,
                    supplier_name=supplier.name,
                    issued_date=issued,
                    due_date=issued + dt.timedelta(days=30),
                    currency_code="CNY",
                    net_amount=net,
                    vat_amount=vat,
                    gross_amount=net + vat,
                    home_currency_gross_amount=net + vat,
                    settlement=Purchase.Settlement.OPEN,
                )
            )
            lines.append((product.code, quantity, rate))
        Purchase.objects.bulk_create(purchases, batch_size=2000)
        for purchase, (code, quantity, rate) in zip(purchases, lines, strict=True):
            purchase_lines.append(
                PurchaseLine(
                    purchase=purchase,
                    number=1,
                    description=f"Product {code}",
                    quantity=quantity,
                    rate=rate,
                    vat_level=VAT_LEVEL,
                    vat_amount=round2(quantity * rate * VAT_LEVEL / 100),
                    nominal=nominal,
                    product=by_code[code],
                )
            )
        PurchaseLine.objects.bulk_create(purchase_lines, batch_size=2000)
    return lines


def statement_line(item_no: int, code: str, quantity: Decimal, net: Decimal) -> dict:
    tax = round2(net * Decimal("0.06"))
    amount = net + tax
    return {
        "itemNo": f"{item_no:03d}",
        "itemName": f"Product {code}",
        "specification": "",
        "productNo": code,
        "quantity": str(quantity),
        "unit": "EA",
        "unitPrice": str((amount / quantity).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)),
        "amountWithoutTax": str(net),
        "taxPercent": "0.06",
        "taxAmount": str(tax),
        "amount": str(amount),
        "buyerItemName": f"Product {code}",
    }


def make_statement(size: int, lines: list[tuple[str, Decimal, Decimal]], rng: random.Random) -> dict:
    """A statement whose lines each name a different product: exact copies of a
    purchase line, some with one unit more, some 5% dearer, some covering two
    deliveries at one price (a second purchase line is made equal to the first
    for those), some of products finhub never bought."""
    by_product: dict[str, list[int]] = {}
    for index, (code, _quantity, _rate) in enumerate(lines):
        by_product.setdefault(code, []).append(index)
    codes = [code for code in sorted(by_product) if len(by_product[code]) >= 2]
    rng.shuffle(codes)
    items, doubled = [], []
    for n in range(size):
        kind = n % 10
        if kind == 9 or n >= len(codes):  # not in purchases
            items.append(statement_line(n + 1, f"NEW-{n:04d}", Decimal(3), Decimal("300.00")))
            continue
        code = codes[n]
        first, second = by_product[code][:2]
        _code, quantity, rate = lines[first]
        net = round2(quantity * rate)
        if kind == 7:  # one unit more
            items.append(statement_line(n + 1, code, quantity + 1, round2((quantity + 1) * rate)))
        elif kind == 8:  # 5% dearer
            items.append(statement_line(n + 1, code, quantity, round2(net * Decimal("1.05"))))
        elif kind == 6:  # two deliveries at one price on one line
            doubled.append((second, quantity, rate))
            items.append(statement_line(n + 1, code, quantity * 2, round2(quantity * 2 * rate)))
        else:
            items.append(statement_line(n + 1, code, quantity, net))
    return {
        "reconciliationNo": "BENCH-STATEMENT",
        "currency": "CNY",
        "startTime": FIRST_DAY.isoformat(),
        "endTime": (FIRST_DAY + dt.timedelta(days=DAYS - 1)).isoformat(),
        "buyCompanyName": "Bench buyer",
        "buyCompanyTaxId": BUYER_TAX_ID,
        "supplierCompanyName": "Bench supplier",
        "supplierCompanyTaxId": SUPPLIER_TAX_ID,
        "itemList": items,
        "_doubled": doubled,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--purchases", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print a profile of one run first")
    args = parser.parse_args()

    url = bench_database_url("finhub_bench_statement_match")
    recreate_database(url)
    with tempfile.TemporaryDirectory() as media:
        setup_django(url, media)
        from django.conf import settings
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from apps.purchases.models import PurchaseLine
        from apps.reconciliation.services import Trigger, statement_create, statement_match
        from apps.reconciliation.validation import parse_statement

        migrate()
        settings.COMPANY_TAX_ID = BUYER_TAX_ID
        rng = random.Random(14)
        started = time.perf_counter()
        lines = load_purchases(args.purchases, rng)
        payload = make_statement(args.lines, lines, rng)
        for line_index, quantity, rate in payload.pop("_doubled"):
            # the second delivery: same quantity and rate as the first
            PurchaseLine.objects.filter(purchase__number=line_index + 1).update(
                quantity=quantity, rate=rate, vat_amount=round2(quantity * rate * VAT_LEVEL / 100)
            )
        statement = statement_create(statement=parse_statement(json.loads(json.dumps(payload), parse_float=Decimal)))
        print(
            f"database: {connection.vendor}; {args.purchases} purchases of one supplier in {DAYS} days, "
            f"statement of {args.lines} lines (loaded in {time.perf_counter() - started:.1f} s)"
        )

        if args.profile:
            import cProfile
            import pstats

            with cProfile.Profile() as profile:
                statement_match(statement=statement, trigger=Trigger.COMMAND)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        timings = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            match = statement_match(statement=statement, trigger=Trigger.COMMAND)
            timings.append(time.perf_counter() - t0)
        with CaptureQueriesContext(connection) as queries:
            statement_match(statement=statement, trigger=Trigger.COMMAND)
        statuses = Counter(match.lines.values_list("status", flat=True))
        print(
            f"{args.runs / sum(timings):8.2f} statements matched/s; median {statistics.median(timings):.3f} s, "
            f"slowest {max(timings):.3f} s per statement; {len(queries)} queries per run"
        )
        print(f"status: {match.status}; rows by status: {dict(sorted(statuses.items()))}")


if __name__ == "__main__":
    main()
