"""Building the lines and payments of a purchase write from the input: kept
lines and payments are updated in place, new ones created; errors name the
line (``LineItems[i].Field``) or payment (``PaymentLines[i].Field``)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from apps.purchases.models import BankTransaction, PaymentLine, PurchaseLine
from apps.purchases.pricing import line_vat
from apps.purchases.services.inputs import FieldErrors, PurchaseInput
from apps.purchases.services.references import References

ZERO = Decimal("0")


def build_lines(
    data: PurchaseInput, refs: References, existing: dict[int, PurchaseLine], errors: FieldErrors
) -> tuple[list[PurchaseLine], list[PurchaseLine]]:
    """Return (kept lines updated in place, new lines) for the input lines."""
    kept: list[PurchaseLine] = []
    new: list[PurchaseLine] = []
    seen: set[int] = set()
    for i, item in enumerate(data.lines):
        prefix = f"LineItems[{i}]"
        nominal = refs.nominals.get(item.nominal_code)
        if nominal is None:
            errors.add(f"{prefix}.NominalCode", f"there is no nominal code {item.nominal_code}")
        product = None
        if item.product_code:
            product = refs.products.get(item.product_code)
            if product is None:
                errors.add(f"{prefix}.ProductCode", f"there is no product {item.product_code!r}")
        project = None
        if item.project_number:
            project = refs.projects.get(item.project_number)
            if project is None:
                errors.add(f"{prefix}.ProjectNumber", f"there is no project {item.project_number}")
        if item.number:
            line = existing.get(item.number)
            if line is None:
                errors.add(f"{prefix}.Number", f"this purchase has no line {item.number} (use 0 for a new line)")
                continue
            if item.number in seen:
                errors.add(f"{prefix}.Number", f"line {item.number} is given twice")
                continue
            seen.add(item.number)
            kept.append(line)
        else:
            line = PurchaseLine()
            new.append(line)
        line.description = item.description
        line.quantity = item.quantity
        line.rate = item.rate
        line.vat_level = item.vat_level or ZERO
        line.vat_exempt = bool(item.vat_exempt)
        line.vat_amount = line_vat(line.quantity, line.rate, line.vat_level, line.vat_exempt)
        line.nominal = nominal  # type: ignore[assignment]
        line.product = product
        line.project = project
        line.tax_code = item.tax_code or ""
        stock_managed = product is not None and product.stock_managed
        if stock_managed and item.received and not line.stock_received:
            # Receiving is once: a received line stays received.
            line.stock_received = True
            line.stock_received_on = timezone.now()
        elif not stock_managed:
            line.stock_received = False
            line.stock_received_on = None
    return kept, new


def build_payments(
    data: PurchaseInput,
    refs: References,
    existing: dict[int, PaymentLine],
    errors: FieldErrors,
    *,
    has_lines: bool,
) -> tuple[list[PaymentLine], list[PaymentLine], list[BankTransaction], list[PurchaseLine]]:
    """Return (kept payments, new payments, bank transactions to delete, lines to add
    for a transaction paying a purchase without lines)."""
    kept: list[PaymentLine] = []
    new: list[PaymentLine] = []
    consumed: list[BankTransaction] = []
    extra_lines: list[PurchaseLine] = []
    seen: set[int] = set()
    already_converted = sum(
        1
        for p in existing.values()
        if p.bank_transaction_id and any(item.id == p.pk for item in data.payments if item.id)
    )
    conversions = 0
    for i, item in enumerate(data.payments):
        prefix = f"PaymentLines[{i}]"
        method = refs.methods.get(item.method_id)
        if method is None:
            errors.add(f"{prefix}.Method", f"there is no payment method {item.method_id}")
        if item.id:
            payment = existing.get(item.id)
            if payment is None:
                errors.add(f"{prefix}.Id", f"this purchase has no payment {item.id} (use 0 for a new payment)")
                continue
            if item.id in seen:
                errors.add(f"{prefix}.Id", f"payment {item.id} is given twice")
                continue
            seen.add(item.id)
            if item.bank_transaction_id and item.bank_transaction_id != payment.bank_transaction_id:
                errors.add(
                    f"{prefix}.BankTransactionId",
                    "a bank transaction can only be turned into a new payment (Id 0)",
                )
                continue
            kept.append(payment)
        else:
            payment = PaymentLine()
            new.append(payment)
        if method is not None:
            payment.method = method
        payment.note = item.note or ""
        if item.bank_transaction_id and not item.id:
            conversions += 1
            if conversions + already_converted > 1:
                errors.add(f"{prefix}.BankTransactionId", "only one bank transaction may be used per purchase")
                continue
            tx = refs.transactions.get(item.bank_transaction_id)
            if tx is None:
                errors.add(
                    f"{prefix}.BankTransactionId",
                    f"bank transaction {item.bank_transaction_id} does not exist or was already used",
                )
                continue
            payment.date = tx.date
            payment.amount = tx.amount
            payment.bank_account = tx.bank_account
            payment.bank_transaction_id = tx.pk
            payment.note = payment.note or tx.reference
            consumed.append(tx)
            if not has_lines:
                if tx.nominal_id is None:
                    errors.add(
                        f"{prefix}.BankTransactionId",
                        f"the purchase has no line items and bank transaction {tx.pk} has no nominal code for one",
                    )
                    continue
                extra_lines.append(
                    PurchaseLine(
                        description=tx.reference or f"Bank transaction {tx.pk}",
                        quantity=Decimal(1),
                        rate=tx.amount,
                        vat_level=ZERO,
                        vat_amount=Decimal("0.00"),
                        nominal_id=tx.nominal_id,
                    )
                )
            continue
        if item.date is None:
            errors.add(f"{prefix}.Date", "this field is required")
        if item.amount is None:
            errors.add(f"{prefix}.Amount", "this field is required")
        account = refs.accounts.get(item.account_id or 0)
        if account is None:
            errors.add(f"{prefix}.AccountId", f"there is no bank account {item.account_id}")
        if item.date is not None:
            payment.date = item.date
        if item.amount is not None:
            payment.amount = item.amount
        if account is not None:
            payment.bank_account = account
    return kept, new, consumed, extra_lines
