"""Valid SAP invoice rows, and a helper that posts a report and runs its import."""

from __future__ import annotations

import copy
from typing import Any

import factory


class InvoiceRowFactory(factory.DictFactory):
    orderId = factory.Sequence(lambda n: f"SO-{n:06d}")
    sapOrderId = factory.Sequence(lambda n: f"{10004700 + n:010d}")
    invoiceId = factory.Sequence(lambda n: f"{90000000 + n:010d}")
    amount = 1200.00
    taxAmount = "200.00"
    dueDate = "20240415"
    distributionChannel = "10"
    deliveryNote = "0080031001"
    currency = "EUR"
    payer = "0017001420"
    reverseMark = 0
    createDate = "20240315"
    taxRate = 0.2
    taxCode = "A1"
    invoiceDate = "2024-03-15"
    orderItem = "000010"
    reverseId = ""
    invoiceType = "M"
    amountLC = 1200.00
    currencyLC = "EUR"
    taxAmountLC = 200.00
    orderItems = factory.LazyFunction(lambda: [{"itemNo": "000010"}])
    billTo = "0017001245"


def rows(n: int, **overrides: Any) -> list[dict[str, Any]]:
    return [InvoiceRowFactory(**copy.deepcopy(overrides)) for _ in range(n)]
