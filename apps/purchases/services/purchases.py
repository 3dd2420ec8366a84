"""Writes of purchases: create, full replace (PUT), delete, and the totals
refresh after the admin edited lines inline. Every write is one transaction;
any invalid field raises ``ValidationFailed`` naming it and changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from apps.core.bounds import DATE_MAX
from apps.core.exceptions import ValidationFailed
from apps.purchases.models import PaymentLine, Purchase, PurchaseLine, Supplier
from apps.purchases.pricing import apply_totals, check_amounts, compute_totals, line_vat, supplier_due_date
from apps.purchases.services.inputs import FieldErrors, PurchaseInput
from apps.purchases.services.parts import build_lines, build_payments
from apps.purchases.services.references import resolve_currency, resolve_references
from apps.purchases.services.stock import apply_stock, stock_effect


@transaction.atomic
def purchase_refresh_totals(purchase: Purchase, *, recompute_lines: Collection[int] | None = None) -> Purchase:
    """Recompute line VAT and the purchase totals from what is in the database
    (used after the admin saved lines and payments inline). ``recompute_lines``:
    the ids of the lines whose VAT is recomputed (None: every line); the others
    keep theirs (a VATAmount sent through /v2 is kept)."""
    lines = list(purchase.lines.all())
    changed = []
    for line in lines:
        if recompute_lines is not None and line.pk not in recompute_lines:
            continue
        vat = line_vat(line.quantity, line.rate, line.vat_level, line.vat_exempt)
        if line.vat_amount != vat:
            line.vat_amount = vat
            changed.append(line)
    if changed:
        PurchaseLine.objects.bulk_update(changed, ["vat_amount"])
    payments = list(purchase.payments.values_list("date", "amount"))
    apply_totals(
        purchase,
        compute_totals(
            ((ln.quantity, ln.rate, ln.vat_amount) for ln in lines),
            payments,
            purchase.exchange_rate,
            reverse_charge=purchase.is_cis_reverse_charge,
        ),
    )
    purchase.save()
    return purchase


def next_free_number() -> int:
    current = Purchase.objects.aggregate(m=Max("number"))["m"] or 0
    return current + 1


def _write(purchase: Purchase, data: PurchaseInput, *, creating: bool, require_lines: bool = False) -> Purchase:
    errors = FieldErrors()
    refs = resolve_references(data, errors)
    code, rate = resolve_currency(data, errors)
    existing_lines = {} if creating else {ln.number: ln for ln in purchase.lines.select_related("product")}
    existing_payments = {} if creating else {p.pk: p for p in purchase.payments.all()}
    stock_before = stock_effect(existing_lines.values())
    kept_lines, new_lines = build_lines(data, refs, existing_lines, errors, creating=creating)
    kept_payments, new_payments, consumed, extra_lines = build_payments(
        data, refs, existing_payments, errors, has_lines=bool(kept_lines or new_lines), creating=creating
    )
    if require_lines and not (kept_lines or new_lines or extra_lines):
        errors.add("LineItems", "a purchase needs at least one line")
    renumber = data.number if data.number and data.number != purchase.number else None
    if renumber and Purchase.objects.filter(number=renumber).exclude(pk=purchase.pk).exists():
        errors.add("Number", f"purchase number {data.number} is already used")
    errors.raise_if_any()

    new_lines += extra_lines
    all_lines = kept_lines + new_lines
    all_payments = kept_payments + new_payments
    supplier = refs.supplier
    if supplier is None:  # pragma: no cover - reported as an error above
        raise ValidationFailed("SupplierCode: unknown supplier")
    reverse_charge = (
        supplier.is_cis_reverse_charge if data.is_cis_reverse_charge is None else data.is_cis_reverse_charge
    )
    totals = compute_totals(
        ((ln.quantity, ln.rate, ln.vat_amount) for ln in all_lines),
        [(p.date, p.amount) for p in all_payments],
        rate,
        reverse_charge=reverse_charge,
    )
    check_amounts(all_lines, totals, errors)
    errors.raise_if_any()
    issued = data.issued_date or timezone.localdate()
    purchase.supplier = supplier
    purchase.supplier_code = supplier.code
    purchase.supplier_name = supplier.name
    purchase.supplier_reference = data.supplier_reference or ""
    purchase.issued_date = issued
    purchase.due_date = data.due_date or _default_due_date(supplier, issued)
    purchase.currency_code = code
    purchase.exchange_rate = rate
    purchase.project = refs.project
    purchase.project_number = refs.project.number if refs.project else None
    purchase.project_name = refs.project.name if refs.project else ""
    purchase.additional_field_value = data.additional_field_value or ""
    purchase.purchase_in_ec_member_state = bool(data.purchase_in_ec_member_state)
    purchase.is_wht_deduction_to_be_applied = bool(data.is_wht_deduction_to_be_applied)
    purchase.is_cis_reverse_charge = reverse_charge
    purchase.purchase_type = data.purchase_type or Purchase.Type.PURCHASE
    purchase.trade_border_type = supplier.trade_border_type
    apply_totals(purchase, totals)
    if creating:
        _insert_with_number(purchase, data.number)
    else:
        if renumber:  # KashFlow: a PUT whose body has another Number renumbers the purchase
            purchase.number = renumber
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
                    "import_duty",
                    "disallowed",
                    "stock_received",
                    "stock_received_on",
                ],
            )
        purchase.payments.exclude(pk__in=[p.pk for p in kept_payments]).delete()
        if kept_payments:
            PaymentLine.objects.bulk_update(
                kept_payments,
                ["date", "amount", "method", "bank_account", "note", "bfs_transaction_id", "payment_processor"],
            )
    # New lines sent with a Number keep it; the others follow the highest.
    next_number = max((ln.number for ln in all_lines if ln.number), default=0)
    for line in new_lines:
        if not line.number:
            next_number += 1
            line.number = next_number
        line.purchase = purchase
    PurchaseLine.objects.bulk_create(new_lines)
    for payment in new_payments:
        payment.purchase = purchase
    PaymentLine.objects.bulk_create(new_payments)
    for tx in consumed:
        tx.delete()
    apply_stock(stock_before, stock_effect(all_lines))
    return purchase


def _default_due_date(supplier: Supplier, issued: dt.date) -> dt.date:
    try:
        due = supplier_due_date(supplier, issued)
    except OverflowError:
        due = dt.date.max
    if due > DATE_MAX:
        raise ValidationFailed(f"DueDate: the supplier's payment terms put the due date after {DATE_MAX}")
    return due


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
def purchase_create(data: PurchaseInput, *, require_lines: bool = False) -> Purchase:
    """Create a purchase. ``require_lines``: KashFlow's rule that a new purchase has
    at least one line (or a bank transaction paying it, which makes one)."""
    return _write(Purchase(), data, creating=True, require_lines=require_lines)


@transaction.atomic
def purchase_replace(purchase: Purchase, data: PurchaseInput) -> Purchase:
    """Full replace (PUT): lines and payments with Number/Id 0 are created, those
    named are updated, those left out are deleted; another Number renumbers it."""
    locked = Purchase.objects.select_for_update().get(pk=purchase.pk)
    return _write(locked, data, creating=False)


@transaction.atomic
def purchase_delete(purchase: Purchase) -> None:
    """Delete a purchase; the stock its received lines had added is taken back."""
    locked = Purchase.objects.select_for_update().get(pk=purchase.pk)
    apply_stock(stock_effect(locked.lines.all()), {})
    locked.delete()
