"""What the purchase services take: plain dataclasses filled by the KashFlow
API (``apps.purchases.kashflow.purchase_input``), the admin and the demo data,
and the error collector the services report field errors with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from apps.core.exceptions import ValidationFailed

ZERO = Decimal("0")


@dataclass
class LineInput:
    """A line. ``None`` means "not sent": the services apply the defaults of
    the additions digest §8 (description, nominal, VAT amount, project)."""

    description: str | None
    quantity: Decimal
    rate: Decimal
    nominal_code: int | None
    number: int | None = None
    vat_level: Decimal = ZERO
    vat_exempt: bool = False
    product_code: str | None = None
    project_number: int | None = None
    tax_code: str = ""
    received: bool | None = None
    vat_amount: Decimal | None = None
    import_duty: Decimal = ZERO
    disallowed: bool = False


@dataclass
class PaymentInput:
    method_id: int | None
    id: int | None = None
    date: dt.date | None = None
    amount: Decimal | None = None
    account_id: int | None = None
    note: str = ""
    bank_transaction_id: int | None = None
    bfs_transaction_id: int | None = None
    payment_processor: int | None = None


@dataclass
class PurchaseInput:
    """A purchase write. ``None`` dates, CIS flag and type take the defaults of
    the additions digest §8 (today, the supplier's payment terms, the
    supplier's CIS flag, ``Purchase``)."""

    supplier_code: str
    issued_date: dt.date | None
    due_date: dt.date | None
    number: int | None = None
    supplier_reference: str = ""
    currency_code: str | None = None
    exchange_rate: Decimal | None = None
    project_number: int | None = None
    additional_field_value: str = ""
    purchase_in_ec_member_state: bool = False
    is_wht_deduction_to_be_applied: bool = False
    is_cis_reverse_charge: bool | None = None
    purchase_type: str | None = None
    lines: list[LineInput] = field(default_factory=list)
    payments: list[PaymentInput] = field(default_factory=list)


class FieldErrors:
    """Field errors of one write, raised together as one ``ValidationFailed``."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, field_name: str, message: str) -> None:
        self.items.append({"index": 0, "field": field_name, "message": message})

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationFailed("; ".join(f"{e['field']}: {e['message']}" for e in self.items), errors=self.items)
