"""Building the lines and payments of a purchase write from the input: kept
lines and payments are updated in place, new ones created; errors name the
line (``LineItems[i].Field``) or payment (``PaymentLines[i].Field``)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from apps.purchases.models import BankTransaction, NominalAccount, PaymentLine, Product, PurchaseLine
from apps.purchases.pricing import line_amount_limit, line_vat
from apps.purchases.services.inputs import FieldErrors, LineInput, PurchaseInput
from apps.purchases.services.references import References

ZERO = Decimal("0")


def build_lines(
    data: PurchaseInput, refs: References, existing: dict[int, PurchaseLine], errors: FieldErrors, *, creating: bool
) -> tuple[list[PurchaseLine], list[PurchaseLine]]:
    """Return (kept lines updated in place, new lines) for the input lines.

    On create a line's ``Number`` is its number (KashFlow's example and a copied
    purchase send them); on PUT it names the line to update. What a line leaves
    out takes the defaults of the additions digest §8: the header's project, the
    product's nominal else the supplier's default nominal, the product's else the
    nominal's name as description, the computed VAT."""
    kept: list[PurchaseLine] = []
    new: list[PurchaseLine] = []
    seen: set[int] = set()
    tolerance = Decimal(settings.KASHFLOW_VAT_TOLERANCE)
    for i, item in enumerate(data.lines):
        prefix = f"LineItems[{i}]"
        product = None
        if item.product_code:
            product = refs.products.get(item.product_code)
            if product is None:
                errors.add(f"{prefix}.ProductCode", f"there is no product {item.product_code!r}")
        nominal = _line_nominal(item.nominal_code, product, refs, errors, prefix)
        project = None
        project_number = item.project_number or data.project_number
        if project_number:
            project = refs.projects.get(project_number)
            if project is None and item.project_number:
                errors.add(f"{prefix}.ProjectNumber", f"there is no project {item.project_number}")
        if item.number and item.number in seen:
            errors.add(f"{prefix}.Number", f"line {item.number} is given twice")
            continue
        if item.number and not creating:
            line = existing.get(item.number)
            if line is None:
                errors.add(f"{prefix}.Number", f"this purchase has no line {item.number} (use 0 for a new line)")
                continue
            kept.append(line)
        else:
            line = PurchaseLine(number=item.number or 0)
            new.append(line)
        if item.number:
            seen.add(item.number)
        line.description = item.description or (product.name if product else "") or (nominal.name if nominal else "")
        line.quantity = item.quantity
        line.rate = item.rate
        line.vat_level = item.vat_level or ZERO
        line.vat_exempt = bool(item.vat_exempt)
        line.vat_amount = _line_vat(item, line, tolerance, errors, prefix)
        line.import_duty = item.import_duty or ZERO
        line.disallowed = bool(item.disallowed)
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


def _line_nominal(
    code: int | None, product: Product | None, refs: References, errors: FieldErrors, prefix: str
) -> NominalAccount | None:
    if code:
        nominal = refs.nominals.get(code)
        if nominal is None:
            errors.add(f"{prefix}.NominalCode", f"there is no nominal code {code}")
        return nominal
    if product is not None and product.nominal is not None:
        return product.nominal
    if refs.supplier is not None and refs.supplier.default_nominal is not None:
        return refs.supplier.default_nominal
    if refs.supplier is not None:
        errors.add(
            f"{prefix}.NominalCode",
            "required: neither the line's product nor the supplier has a default nominal code",
        )
    return None


def _line_vat(item: LineInput, line: PurchaseLine, tolerance: Decimal, errors: FieldErrors, prefix: str) -> Decimal:
    """The sent VATAmount (the supplier's invoice is what it is) when it is within
    ``KASHFLOW_VAT_TOLERANCE`` of Quantity x Rate x VATLevel; the computed one
    when none was sent; a 400 naming the line when it is further."""
    limit = line_amount_limit()
    if abs(line.quantity * line.rate) > limit:
        # Before any rounding: Decimal cannot round a number that large to cents.
        errors.add(f"{prefix}.Quantity", f"Quantity x Rate is larger than {limit}")
        return Decimal("0.00")
    computed = line_vat(line.quantity, line.rate, line.vat_level, line.vat_exempt)
    if item.vat_amount is None:
        return computed
    if abs(item.vat_amount - computed) > tolerance:
        errors.add(
            f"{prefix}.VATAmount",
            f"{item.vat_amount} differs from the computed {computed} by more than {tolerance}",
        )
    return item.vat_amount


def build_payments(
    data: PurchaseInput,
    refs: References,
    existing: dict[int, PaymentLine],
    errors: FieldErrors,
    *,
    has_lines: bool,
    creating: bool = False,
) -> tuple[list[PaymentLine], list[PaymentLine], list[BankTransaction], list[PurchaseLine]]:
    """Return (kept payments, new payments, bank transactions to delete, lines to add
    for a transaction paying a purchase without lines).

    On PUT a payment's ``Id`` names the payment to update; on create every payment
    is new and its ``Id`` is ignored (a copied purchase sends the original's)."""
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
        if item.method_id:
            method = refs.methods.get(item.method_id)
            if method is None:
                errors.add(f"{prefix}.Method", f"there is no payment method {item.method_id}")
        else:
            # Left out: the supplier's payment method, else KASHFLOW_DEFAULT_PAYMENT_METHOD.
            method = refs.default_method
            if method is None:
                errors.add(f"{prefix}.Method", "required: the supplier has no payment method and there is no default")
        item_id = None if creating else item.id
        if item_id:
            payment = existing.get(item_id)
            if payment is None:
                errors.add(f"{prefix}.Id", f"this purchase has no payment {item_id} (use 0 for a new payment)")
                continue
            if item_id in seen:
                errors.add(f"{prefix}.Id", f"payment {item_id} is given twice")
                continue
            seen.add(item_id)
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
        payment.bfs_transaction_id = item.bfs_transaction_id
        payment.payment_processor = item.payment_processor
        if item.bank_transaction_id and not item_id:
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
