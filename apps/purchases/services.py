"""Writes and computations of purchases: the one place where totals, status,
stock receipts and bank-transaction payments are decided. The KashFlow API, the
admin and the demo data all go through here.

Rules (from the KashFlow contract):

* line VAT = Quantity x Rate x VATLevel / 100, rounded half-up to 2 places
  (0 when VATExempt);
* NetAmount = sum of Quantity x Rate over the lines, rounded half-up to 2 places;
  VATAmount = sum of line VAT; GrossAmount = Net + VAT;
* HomeCurrencyGrossAmount = Gross / ExchangeRate, HomeCurrencyRate = Rate /
  ExchangeRate, HomeCurrencyVATAmount = VAT / ExchangeRate, each rounded to 2;
* TotalPaidAmount = sum of payments; DueAmount = Gross - Paid;
* Status: ``NA`` when gross and paid are both zero, ``Overpaid`` when paid >
  gross, ``Paid`` when paid = gross, else ``Overdue`` after the due date and
  ``Unpaid`` until then; OverdueDays counts days past the due date of an
  overdue purchase, else 0; PaidDate is the date of the payment with which the
  running total of payments (by date) reached the gross amount.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, F, Max, QuerySet, Value, When
from django.utils import timezone

from apps.core.exceptions import ValidationFailed
from apps.purchases.currencies import currency_info, home_currency
from apps.purchases.models import (
    BankAccount,
    BankTransaction,
    NominalAccount,
    PaymentLine,
    PaymentMethod,
    Product,
    Project,
    Purchase,
    PurchaseLine,
    Supplier,
)

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal(100)


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_vat(quantity: Decimal, rate: Decimal, vat_level: Decimal, vat_exempt: bool) -> Decimal:
    if vat_exempt:
        return Decimal("0.00")
    return round2(quantity * rate * vat_level / HUNDRED)


def to_home(amount: Decimal, exchange_rate: Decimal) -> Decimal:
    if not exchange_rate:
        return round2(amount)
    return round2(amount / exchange_rate)


@dataclass(frozen=True)
class Totals:
    net: Decimal
    vat: Decimal
    gross: Decimal
    home_gross: Decimal
    paid: Decimal
    paid_date: dt.date | None
    settlement: str


def compute_totals(
    lines: Iterable[tuple[Decimal, Decimal, Decimal]],
    payments: Iterable[tuple[dt.date, Decimal]],
    exchange_rate: Decimal,
) -> Totals:
    """``lines``: (quantity, rate, line VAT); ``payments``: (date, amount) in the
    order they were made."""
    net_exact = ZERO
    vat = Decimal("0.00")
    for quantity, rate, vat_amount in lines:
        net_exact += quantity * rate
        vat += vat_amount
    net = round2(net_exact)
    gross = net + vat
    paid = ZERO
    paid_date = None
    for date, amount in sorted(payments, key=lambda p: p[0]):
        paid += amount
        if paid_date is None and gross > 0 and paid >= gross:
            paid_date = date
    if gross == 0 and paid == 0:
        settlement = Purchase.Settlement.NA
    elif paid > gross:
        settlement = Purchase.Settlement.OVERPAID
    elif paid == gross:
        settlement = Purchase.Settlement.PAID
    else:
        settlement = Purchase.Settlement.OPEN
    if settlement == Purchase.Settlement.OPEN:
        paid_date = None
    return Totals(
        net=net,
        vat=vat,
        gross=gross,
        home_gross=to_home(gross, exchange_rate),
        paid=paid,
        paid_date=paid_date,
        settlement=str(settlement),
    )


def _apply_totals(purchase: Purchase, totals: Totals) -> None:
    purchase.net_amount = totals.net
    purchase.vat_amount = totals.vat
    purchase.gross_amount = totals.gross
    purchase.home_currency_gross_amount = totals.home_gross
    purchase.total_paid_amount = totals.paid
    purchase.paid_date = totals.paid_date
    purchase.settlement = totals.settlement


@transaction.atomic
def purchase_refresh_totals(purchase: Purchase) -> Purchase:
    """Recompute line VAT and the purchase totals from what is in the database
    (used after the admin saved lines and payments inline)."""
    lines = list(purchase.lines.all())
    changed = []
    for line in lines:
        vat = line_vat(line.quantity, line.rate, line.vat_level, line.vat_exempt)
        if line.vat_amount != vat:
            line.vat_amount = vat
            changed.append(line)
    if changed:
        PurchaseLine.objects.bulk_update(changed, ["vat_amount"])
    payments = list(purchase.payments.values_list("date", "amount"))
    _apply_totals(
        purchase,
        compute_totals(((ln.quantity, ln.rate, ln.vat_amount) for ln in lines), payments, purchase.exchange_rate),
    )
    purchase.save()
    return purchase


# --- status ----------------------------------------------------------------------

STATUS_NA, STATUS_UNPAID, STATUS_PAID, STATUS_OVERPAID, STATUS_OVERDUE = "NA", "Unpaid", "Paid", "Overpaid", "Overdue"


def purchase_status(purchase: Purchase, today: dt.date | None = None) -> str:
    settlement = purchase.settlement
    if settlement == Purchase.Settlement.NA:
        return STATUS_NA
    if settlement == Purchase.Settlement.PAID:
        return STATUS_PAID
    if settlement == Purchase.Settlement.OVERPAID:
        return STATUS_OVERPAID
    today = today or timezone.localdate()
    return STATUS_OVERDUE if purchase.due_date < today else STATUS_UNPAID


def purchase_overdue_days(purchase: Purchase, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    if purchase_status(purchase, today) != STATUS_OVERDUE:
        return 0
    return (today - purchase.due_date).days


def status_expression(today: dt.date) -> Case:
    """The Status of a purchase as a database expression (to sort by it)."""
    return Case(
        When(settlement=Purchase.Settlement.NA, then=Value(STATUS_NA)),
        When(settlement=Purchase.Settlement.PAID, then=Value(STATUS_PAID)),
        When(settlement=Purchase.Settlement.OVERPAID, then=Value(STATUS_OVERPAID)),
        When(due_date__lt=today, then=Value(STATUS_OVERDUE)),
        default=Value(STATUS_UNPAID),
        output_field=CharField(),
    )


def filter_by_status(queryset: QuerySet[Purchase], status: str, today: dt.date) -> QuerySet[Purchase]:
    if status == STATUS_UNPAID:
        return queryset.filter(settlement=Purchase.Settlement.OPEN, due_date__gte=today)
    if status == STATUS_OVERDUE:
        return queryset.filter(settlement=Purchase.Settlement.OPEN, due_date__lt=today)
    if status == STATUS_PAID:
        return queryset.filter(settlement=Purchase.Settlement.PAID)
    if status == STATUS_OVERPAID:
        return queryset.filter(settlement=Purchase.Settlement.OVERPAID)
    if status == STATUS_NA:
        return queryset.filter(settlement=Purchase.Settlement.NA)
    return queryset


# --- input -----------------------------------------------------------------------


@dataclass
class LineInput:
    description: str
    quantity: Decimal
    rate: Decimal
    nominal_code: int
    number: int | None = None
    vat_level: Decimal = ZERO
    vat_exempt: bool = False
    product_code: str | None = None
    project_number: int | None = None
    tax_code: str = ""
    received: bool | None = None


@dataclass
class PaymentInput:
    method_id: int
    id: int | None = None
    date: dt.date | None = None
    amount: Decimal | None = None
    account_id: int | None = None
    note: str = ""
    bank_transaction_id: int | None = None


@dataclass
class PurchaseInput:
    supplier_code: str
    issued_date: dt.date
    due_date: dt.date
    number: int | None = None
    supplier_reference: str = ""
    currency_code: str | None = None
    exchange_rate: Decimal | None = None
    project_number: int | None = None
    additional_field_value: str = ""
    purchase_in_ec_member_state: bool = False
    is_wht_deduction_to_be_applied: bool = False
    lines: list[LineInput] = field(default_factory=list)
    payments: list[PaymentInput] = field(default_factory=list)


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, field_name: str, message: str) -> None:
        self.items.append({"index": 0, "field": field_name, "message": message})

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationFailed("; ".join(f"{e['field']}: {e['message']}" for e in self.items), errors=self.items)


@dataclass
class _Refs:
    supplier: Supplier | None
    project: Project | None
    nominals: dict[int, NominalAccount]
    products: dict[str, Product]
    projects: dict[int, Project]
    methods: dict[int, PaymentMethod]
    accounts: dict[int, BankAccount]
    transactions: dict[int, BankTransaction]


def _resolve(data: PurchaseInput, errors: _Errors) -> _Refs:
    """Look every reference up in one query per kind, and lock the bank transactions."""
    supplier = Supplier.objects.filter(code=data.supplier_code).first()
    if supplier is None:
        errors.add("SupplierCode", f"there is no supplier with code {data.supplier_code!r}")
    project_numbers = {ln.project_number for ln in data.lines if ln.project_number}
    if data.project_number:
        project_numbers.add(data.project_number)
    projects = {p.number: p for p in Project.objects.filter(number__in=project_numbers)}
    project = None
    if data.project_number:
        project = projects.get(data.project_number)
        if project is None:
            errors.add("ProjectNumber", f"there is no project {data.project_number}")
    nominals = {n.code: n for n in NominalAccount.objects.filter(code__in={ln.nominal_code for ln in data.lines})}
    products = {
        p.code: p for p in Product.objects.filter(code__in={ln.product_code for ln in data.lines if ln.product_code})
    }
    methods = PaymentMethod.objects.in_bulk({p.method_id for p in data.payments})
    accounts = BankAccount.objects.in_bulk({p.account_id for p in data.payments if p.account_id})
    tx_ids = sorted({p.bank_transaction_id for p in data.payments if p.bank_transaction_id})
    transactions: dict[int, BankTransaction] = {}
    if tx_ids:
        transactions = {
            t.pk: t
            for t in BankTransaction.objects.select_for_update().select_related("bank_account").filter(pk__in=tx_ids)
        }
    return _Refs(supplier, project, nominals, products, projects, methods, accounts, transactions)


def _currency(data: PurchaseInput, errors: _Errors) -> tuple[str, Decimal]:
    code = (data.currency_code or "").strip().upper() or home_currency()
    if currency_info(code) is None:
        errors.add("Currency.Code", f"{code!r} is not an ISO 4217 currency code")
    rate = data.exchange_rate if data.exchange_rate is not None else Decimal(1)
    if rate <= 0:
        errors.add("Currency.ExchangeRate", "must be greater than 0")
    return code, rate


def _build_lines(
    data: PurchaseInput, refs: _Refs, existing: dict[int, PurchaseLine], errors: _Errors
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


def _stock_effect(lines: Iterable[PurchaseLine]) -> dict[int, Decimal]:
    effect: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if line.stock_received and line.product_id is not None:
            effect[line.product_id] += line.quantity
    return effect


def _apply_stock(before: dict[int, Decimal], after: dict[int, Decimal]) -> None:
    """Move stock by the difference between what the lines had received before
    and after this write: a line received now adds its quantity once; a received
    line that is deleted or changed takes its old quantity back."""
    for product_id in sorted(set(before) | set(after)):
        delta = after.get(product_id, ZERO) - before.get(product_id, ZERO)
        if delta:
            Product.objects.filter(pk=product_id).update(quantity_in_stock=F("quantity_in_stock") + delta)


def _build_payments(
    data: PurchaseInput,
    refs: _Refs,
    existing: dict[int, PaymentLine],
    errors: _Errors,
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


def next_free_number() -> int:
    current = Purchase.objects.aggregate(m=Max("number"))["m"] or 0
    return current + 1


def _write(purchase: Purchase, data: PurchaseInput, *, creating: bool) -> Purchase:
    errors = _Errors()
    refs = _resolve(data, errors)
    code, rate = _currency(data, errors)
    existing_lines = {} if creating else {ln.number: ln for ln in purchase.lines.select_related("product")}
    existing_payments = {} if creating else {p.pk: p for p in purchase.payments.all()}
    stock_before = _stock_effect(existing_lines.values())
    kept_lines, new_lines = _build_lines(data, refs, existing_lines, errors)
    kept_payments, new_payments, consumed, extra_lines = _build_payments(
        data, refs, existing_payments, errors, has_lines=bool(kept_lines or new_lines)
    )
    if data.number is not None and creating and Purchase.objects.filter(number=data.number).exists():
        errors.add("Number", f"purchase number {data.number} is already used")
    errors.raise_if_any()

    new_lines += extra_lines
    all_lines = kept_lines + new_lines
    all_payments = kept_payments + new_payments
    if refs.supplier is None:  # pragma: no cover - reported as an error above
        raise ValidationFailed("SupplierCode: unknown supplier")
    purchase.supplier = refs.supplier
    purchase.supplier_code = refs.supplier.code
    purchase.supplier_name = refs.supplier.name
    purchase.supplier_reference = data.supplier_reference or ""
    purchase.issued_date = data.issued_date
    purchase.due_date = data.due_date
    purchase.currency_code = code
    purchase.exchange_rate = rate
    purchase.project = refs.project
    purchase.project_number = refs.project.number if refs.project else None
    purchase.project_name = refs.project.name if refs.project else ""
    purchase.additional_field_value = data.additional_field_value or ""
    purchase.purchase_in_ec_member_state = bool(data.purchase_in_ec_member_state)
    purchase.is_wht_deduction_to_be_applied = bool(data.is_wht_deduction_to_be_applied)
    _apply_totals(
        purchase,
        compute_totals(
            ((ln.quantity, ln.rate, ln.vat_amount) for ln in all_lines),
            [(p.date, p.amount) for p in all_payments],
            rate,
        ),
    )
    if creating:
        _insert_with_number(purchase, data.number)
    else:
        purchase.save()
        kept_line_ids = [ln.pk for ln in kept_lines]
        purchase.lines.exclude(pk__in=kept_line_ids).delete()
        if kept_lines:
            PurchaseLine.objects.bulk_update(
                kept_lines,
                [
                    "description",
                    "quantity",
                    "rate",
                    "vat_level",
                    "vat_exempt",
                    "vat_amount",
                    "nominal",
                    "product",
                    "project",
                    "tax_code",
                    "stock_received",
                    "stock_received_on",
                ],
            )
        purchase.payments.exclude(pk__in=[p.pk for p in kept_payments]).delete()
        if kept_payments:
            PaymentLine.objects.bulk_update(kept_payments, ["date", "amount", "method", "bank_account", "note"])
    next_number = max((ln.number for ln in kept_lines), default=0)
    for line in new_lines:
        next_number += 1
        line.number = next_number
        line.purchase = purchase
    PurchaseLine.objects.bulk_create(new_lines)
    for payment in new_payments:
        payment.purchase = purchase
    PaymentLine.objects.bulk_create(new_payments)
    for tx in consumed:
        tx.delete()
    _apply_stock(stock_before, _stock_effect(all_lines))
    return purchase


def _insert_with_number(purchase: Purchase, number: int | None) -> None:
    """Take the given number, or the next free one; a concurrent create that took
    the same free number makes us try the next one."""
    for _attempt in range(5):
        purchase.number = number if number is not None else next_free_number()
        try:
            with transaction.atomic():
                purchase.save(force_insert=True)
            return
        except IntegrityError:
            if number is not None:
                raise ValidationFailed(
                    f"Number: purchase number {number} is already used",
                    errors=[{"index": 0, "field": "Number", "message": "already used"}],
                ) from None
            purchase.pk = None
    raise ValidationFailed("Number: could not find a free purchase number, retry")


@transaction.atomic
def purchase_create(data: PurchaseInput) -> Purchase:
    return _write(Purchase(), data, creating=True)


@transaction.atomic
def purchase_replace(purchase: Purchase, data: PurchaseInput) -> Purchase:
    """Full replace (PUT): lines and payments with Number/Id 0 are created, those
    named are updated, those left out are deleted."""
    locked = Purchase.objects.select_for_update().get(pk=purchase.pk)
    return _write(locked, data, creating=False)


@transaction.atomic
def purchase_delete(purchase: Purchase) -> None:
    """Delete a purchase; the stock its received lines had added is taken back."""
    locked = Purchase.objects.select_for_update().get(pk=purchase.pk)
    _apply_stock(_stock_effect(locked.lines.all()), {})
    locked.delete()


def neighbours(number: int) -> tuple[int, int]:
    """(previous number, next number), 0 when there is none."""
    previous = Purchase.objects.filter(number__lt=number).aggregate(m=Max("number"))["m"]
    following = Purchase.objects.filter(number__gt=number).order_by("number").values_list("number", flat=True).first()
    return previous or 0, following or 0


@contextmanager
def stock_tracking(purchase: Purchase) -> Iterator[None]:
    """Around edits of a purchase's lines made elsewhere (the admin inline): move
    stock by what the received lines changed, as the API's writes do."""
    with transaction.atomic():
        before = _stock_effect(purchase.lines.all()) if purchase.pk else {}
        yield
        _apply_stock(before, _stock_effect(purchase.lines.all()))
