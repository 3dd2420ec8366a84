"""Demo purchases of a Chinese supplier whose reconciliation statements arrive
through Xunlian (the supplier of the Xunlian document's example statement), so
that the demo statements of ``apps.reconciliation.demo`` have purchases to be
matched against: one that agrees with the example statement exactly, and in June
2019 one of each kind of difference (quantity, price, tax, a line by name only,
a product not on the statement, a purchase in another currency)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from apps.purchases.models import NominalAccount, Product, Purchase, Supplier
from apps.purchases.selectors import SUPPLIER_TAX_ID_FIELD
from apps.purchases.services import LineInput, PurchaseInput, purchase_create

SUPPLIER_CODE = "LXG"
SUPPLIER_TAX_ID = "310106666888888"
PRODUCTS = [
    ("233W5THXL-01212", "API条目测试商品"),
    ("233W5THXL-01213", "测试商品 二号"),
    ("233W5THXL-01214", "测试商品 三号"),
    ("233W5THXL-01216", "测试商品 六号"),
]


def _line(product: str | None, description: str, quantity: str, rate: str, vat: str) -> LineInput:
    return LineInput(
        description=description,
        quantity=Decimal(quantity),
        rate=Decimal(rate),
        vat_level=Decimal(vat),
        nominal_code=5000,
        product_code=product,
    )


PURCHASES = [
    # Agrees with the example statement (10 x 4179.43 incl. 6% tax = 39428.58 net).
    ("2019-05-15", "CNY", "XL-0515", [_line("233W5THXL-01212", "API条目测试商品 BQF3 - C", "10", "3942.858", "6")]),
    (
        "2019-06-10",
        "CNY",
        "XL-0610",
        [
            _line("233W5THXL-01212", "API条目测试商品 BQF3 - C", "9", "3942.858", "6"),  # one unit fewer
            _line("233W5THXL-01213", "测试商品 二号", "5", "95", "6"),  # 95 instead of 100
        ],
    ),
    (
        "2019-06-20",
        "CNY",
        "XL-0620",
        [
            _line("233W5THXL-01214", "测试商品 三号", "2", "100", "5"),  # 5% VAT instead of 6%
            _line(None, "包装箱 大号", "20", "3", "6"),  # no product: paired by name
            _line("233W5THXL-01216", "测试商品 六号", "4", "25", "6"),  # not on the statement
        ],
    ),
    ("2019-06-25", "USD", "XL-0625", [_line("233W5THXL-01212", "API条目测试商品 BQF3 - C", "1", "600", "0")]),
]


def load_statement_purchases() -> list[str]:
    """Create the supplier, its products and purchases once (idempotent)."""
    supplier, created = Supplier.objects.get_or_create(
        code=SUPPLIER_CODE,
        defaults={"name": "兰馨谷开票测试", SUPPLIER_TAX_ID_FIELD: SUPPLIER_TAX_ID, "currency_code": "CNY"},
    )
    NominalAccount.objects.get_or_create(code=5000, defaults={"name": "Materials Purchased"})
    for code, name in PRODUCTS:
        Product.objects.get_or_create(code=code, defaults={"name": name})
    if Purchase.objects.filter(supplier=supplier).exists():
        return []
    for issued, currency, reference, lines in PURCHASES:
        day = dt.date.fromisoformat(issued)
        purchase_create(
            PurchaseInput(
                supplier_code=SUPPLIER_CODE,
                issued_date=day,
                due_date=day + dt.timedelta(days=30),
                supplier_reference=reference,
                currency_code=currency,
                lines=lines,
            )
        )
    return [f"supplier {SUPPLIER_CODE}"] * created + [f"{len(PURCHASES)} purchases of {SUPPLIER_CODE}"]
