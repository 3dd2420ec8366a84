"""Demo data of the reconciliation area: the Xunlian document's example statement
(currency given as 人民币, as in the original), received through the same
validation and service as the API; a June 2019 statement of the same supplier
with one line of each kind of difference against the demo purchases
(``apps.purchases.demo_statements``); and a statement of a supplier finhub does
not know. Each is matched at once, so the admin shows the results."""

from __future__ import annotations

import json
from decimal import Decimal

from apps.reconciliation.models import ReconciliationStatement
from apps.reconciliation.services import Trigger, statement_create, statement_match
from apps.reconciliation.validation import parse_statement

# The demo purchases these statements are matched against are the purchases area's.
DEMO_AFTER = ("purchases",)

# The original document's request example, its trailing comma and null fields removed.
EXAMPLE_STATEMENT_JSON = """
{
  "reconciliationNo": "hailan-API-Buy1557883270376",
  "currency": "人民币",
  "startTime": 1557883315047,
  "endTime": 1557883315047,
  "buyCompanyName": "重庆宜迅联供应链科技有限公司",
  "buyCompanyTaxId": "91500103MA5UAHBY29",
  "supplierCompanyName": "兰馨谷开票测试",
  "supplierCompanyTaxId": "310106666888888",
  "itemList": [{
    "itemNo": "01",
    "itemName": "API条目测试商品",
    "productNo": "233W5THXL-01212",
    "specification": "BQF3 - C",
    "quantity": 10,
    "unit": "EA",
    "unitPrice": 4179.43,
    "amountWithoutTax": 39428.58,
    "taxPercent": 0.06,
    "taxAmount": 2365.71,
    "amount": 41794.3,
    "discount": 100,
    "buyerItemName": "API条目测试商品",
    "buyerSpecification": "BQF3 - C"
  }]
}
"""


def example_statement() -> dict:
    """The example as the API reads it: fractions as Decimal."""
    return json.loads(EXAMPLE_STATEMENT_JSON, parse_float=Decimal)


def _line(item_no: str, product_no: str, name: str, quantity: str, net: str, *, tax_rate: str = "0.06") -> dict:
    """A statement line from its net amount (tax and the tax-inclusive unit price follow)."""
    net_amount = Decimal(net)
    tax = (net_amount * Decimal(tax_rate)).quantize(Decimal("0.01"))
    amount = net_amount + tax
    return {
        "itemNo": item_no,
        "itemName": name,
        "productNo": product_no,
        "specification": "",
        "quantity": Decimal(quantity),
        "unit": "EA",
        "unitPrice": (amount / Decimal(quantity)).quantize(Decimal("0.0001")),
        "amountWithoutTax": net_amount,
        "taxPercent": Decimal(tax_rate),
        "taxAmount": tax,
        "amount": amount,
        "buyerItemName": name,
        "buyerSpecification": "",
    }


def differences_statement() -> dict:
    """June 2019, same supplier: against the demo purchases, line 01 is one unit
    short in our books, 02 is dearer, 03 carries other tax, 04 is not in our books,
    05 pairs by name with a purchase line without product (a suggestion); a
    purchase line of another product is not on the statement and a USD purchase
    is listed apart."""
    statement = example_statement()
    statement.update(
        reconciliationNo="DEMO-XL-2019-06",
        startTime="2019-06-01",
        endTime="2019-06-30",
        itemList=[
            {**statement["itemList"][0], "itemNo": "01"},
            _line("02", "233W5THXL-01213", "测试商品 二号", "5", "500.00"),
            _line("03", "233W5THXL-01214", "测试商品 三号", "2", "200.00"),
            _line("04", "233W5THXL-01215", "测试商品 五号", "1", "50.00"),
            _line("05", "BOX-L", "包装箱 大号", "20", "60.00"),
        ],
    )
    return statement


def unknown_supplier_statement() -> dict:
    statement = example_statement()
    statement.update(
        reconciliationNo="DEMO-XL-UNKNOWN",
        supplierCompanyName="未登记供应商",
        supplierCompanyTaxId="310106666777777",
    )
    return statement


def load_demo_data() -> str:
    done = []
    for statement in (example_statement(), differences_statement(), unknown_supplier_statement()):
        number = statement["reconciliationNo"]
        record = ReconciliationStatement.objects.filter(reconciliation_no=number).first()
        if record is None:
            record = statement_create(statement=parse_statement(statement))
            match = statement_match(statement=record, trigger=Trigger.DEMO)
            done.append(f"{number} ({match.get_status_display()})")
    return ("demo statements created: " + ", ".join(done)) if done else "demo statements already there"
