from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import factory

from apps.reconciliation.models import ReconciliationStatement, StatementLine, Unit


def unit(code: str = "EA") -> Unit:
    found, _ = Unit.objects.get_or_create(code=code, defaults={"name": code.lower()})
    return found


class ReconciliationStatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReconciliationStatement

    reconciliation_no = factory.Sequence(lambda n: f"ST-{n:05d}")
    currency = "CNY"
    start_time = datetime(2026, 10, 1, tzinfo=UTC)
    end_time = datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC)
    buyer_name = "重庆宜迅联供应链科技有限公司"
    buyer_tax_id = "91500103MA5UAHBY29"
    supplier_name = factory.Sequence(lambda n: f"Supplier {n}")
    supplier_tax_id = factory.Sequence(lambda n: f"3101066668{n:05d}")


class StatementLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatementLine

    statement = factory.SubFactory(ReconciliationStatementFactory)
    position = factory.Sequence(lambda n: n)
    item_no = factory.Sequence(lambda n: f"{n:02d}")
    item_name = "API条目测试商品"
    specification = "BQF3 - C"
    product_no = factory.Sequence(lambda n: f"P-{n:04d}")
    quantity = Decimal(10)
    unit = factory.LazyFunction(unit)
    unit_price = Decimal("4179.43")
    amount_without_tax = Decimal("39428.58")
    tax_percent = Decimal("0.06")
    tax_amount = Decimal("2365.71")
    amount = Decimal("41794.30")
    discount = None
    buyer_item_name = "API条目测试商品"
    buyer_specification = ""


def statement_with_lines(lines: int = 2, **fields) -> ReconciliationStatement:
    statement = ReconciliationStatementFactory(**fields)
    for position in range(lines):
        StatementLineFactory(statement=statement, position=position, item_no=f"{position + 1:02d}")
    return statement
