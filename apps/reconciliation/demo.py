"""Demo data of the reconciliation area: the Xunlian document's example statement
(currency given as 人民币, as in the original), received through the same
validation and service as the API."""

from __future__ import annotations

import json
from decimal import Decimal

from apps.reconciliation.models import ReconciliationStatement
from apps.reconciliation.services import statement_create
from apps.reconciliation.validation import parse_statement

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


def load_demo_data() -> str:
    statement = example_statement()
    number = statement["reconciliationNo"]
    if ReconciliationStatement.objects.filter(reconciliation_no=number).exists():
        return f"demo statement {number} already there"
    created = statement_create(statement=parse_statement(statement))
    return f"demo statement {number} created ({created.public_id})"
