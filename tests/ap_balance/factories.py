"""Valid SAP AP open-balance rows."""

from __future__ import annotations

import copy
from typing import Any

import factory


class ApBalanceRowFactory(factory.DictFactory):
    companyCode = "1000"
    sapDealerCode = "0017001245"
    invoinceId = factory.Sequence(lambda n: f"WR-2024-{n:05d}")
    openBalance = 100
    currency = "EUR"
    fiscalYear = "2024"
    invoicingReference = factory.Sequence(lambda n: f"CLAIM-{n:05d}")
    clearingIdentification = "N"
    clearAmount = 0
    amountLC = "100.00"
    voucherNo = factory.Sequence(lambda n: f"{3100000000 + n}")
    currencyLC = "EUR"
    dueDate = "20240630"


def rows(n: int, **overrides: Any) -> list[dict[str, Any]]:
    return [ApBalanceRowFactory(**copy.deepcopy(overrides)) for _ in range(n)]
