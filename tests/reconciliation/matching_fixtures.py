"""Purchases to match statements against, made through the purchases area's own
service (totals and VAT computed as on the API), and statements of the spec's
worked example."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from apps.purchases.models import NominalAccount, Product, Supplier
from apps.purchases.selectors import SUPPLIER_TAX_ID_FIELD
from apps.purchases.services import LineInput, PurchaseInput, purchase_create

SUPPLIER_TAX_ID = "310106666888888"
COMPANY_TAX_ID = "91500103MA5UAHBY29"
PRODUCT = "233W5THXL-01212"
ISSUED = dt.date(2019, 5, 15)


def make_supplier(code: str = "LXG", tax_id: str = SUPPLIER_TAX_ID, **fields: Any) -> Supplier:
    supplier, _ = Supplier.objects.get_or_create(
        code=code, defaults={"name": fields.pop("name", "兰馨谷开票测试"), SUPPLIER_TAX_ID_FIELD: tax_id, **fields}
    )
    return supplier


def make_product(code: str = PRODUCT, name: str = "API条目测试商品") -> Product:
    product, _ = Product.objects.get_or_create(code=code, defaults={"name": name})
    return product


NOMINAL_CODE = 5000


def nominal() -> NominalAccount:
    found, _ = NominalAccount.objects.get_or_create(code=NOMINAL_CODE, defaults={"name": "Materials Purchased"})
    return found


def line(
    quantity: str = "10",
    rate: str = "3942.858",
    *,
    vat: str = "6",
    product: str | None = PRODUCT,
    description: str = "API条目测试商品 BQF3 - C",
) -> LineInput:
    return LineInput(
        description=description,
        quantity=Decimal(quantity),
        rate=Decimal(rate),
        vat_level=Decimal(vat),
        nominal_code=NOMINAL_CODE,
        product_code=product,
    )


def purchase_input(
    *lines: LineInput,
    supplier: Supplier | None = None,
    issued: dt.date = ISSUED,
    currency: str = "CNY",
) -> PurchaseInput:
    supplier = supplier or make_supplier()
    nominal()
    for item in lines:
        if item.product_code:
            make_product(item.product_code)
    return PurchaseInput(
        supplier_code=supplier.code,
        issued_date=issued,
        due_date=issued + dt.timedelta(days=30),
        currency_code=currency,
        lines=list(lines) or [line()],
    )


def make_purchase(
    *lines: LineInput,
    supplier: Supplier | None = None,
    issued: dt.date = ISSUED,
    currency: str = "CNY",
) -> Any:
    return purchase_create(purchase_input(*lines, supplier=supplier, issued=issued, currency=currency))
