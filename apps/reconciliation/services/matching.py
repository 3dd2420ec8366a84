"""Matching a statement against the purchases finhub holds for its supplier and
period, and storing the result (``StatementMatch`` and its ``MatchLine`` rows).

Source of the rules: the project's reconciliation-matching spec; the pairing
itself is ``apps.reconciliation.matching.pairing`` (pure). This module finds
the scope (buyer, supplier, period, currency), reads what pairing needs in a
fixed number of queries (the statement's lines, the supplier's mappings, the
product codes, the purchase lines of the period: none per line) and writes the
result in one transaction.

Decisions where the spec is silent:

* A statement without a currency is compared in the supplier's default
  currency, else the currency of the books; the result says it was assumed.
* The period's days are the start and end instants' dates in ``TIME_ZONE``.
* A purchase's version is its last change (``updated_at``).
* Purchase lines of another currency are rows of their own (``other
  currency``) and make the status ``differences``; so do purchase lines not on
  the statement.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.core.bounds import BoundsError, field_bounds
from apps.purchases import selectors as purchases
from apps.reconciliation.matching.pairing import (
    MATCHED,
    OTHER_CURRENCY,
    PurchaseLineRecord,
    StatementLineRecord,
    code_key,
    name_key,
    pair_lines,
)
from apps.reconciliation.matching.records import (
    UNIT_NOT_CONVERTIBLE,
    LineKey,
    MappingRef,
    UnitRef,
    normalise_product_no,
    statement_line_amounts,
    statement_line_key,
)
from apps.reconciliation.matching.totals import Amounts, compute_totals
from apps.reconciliation.models import (
    BuyerCheck,
    MatchLine,
    MatchStatus,
    ProductMapping,
    ReconciliationStatement,
    StatementLine,
    StatementMatch,
    Unit,
)
from apps.reconciliation.services.match_rows import MatchRow, match_line_values, match_lines_store, match_rows

logger = logging.getLogger(__name__)


class Trigger:
    """Why a match ran (stored on the result)."""

    RECEIVED = "received"
    PURCHASES_CHANGED = "purchases_changed"
    SUPPLIER_CHANGED = "supplier_changed"
    ADMIN = "admin"
    API = "api"
    COMMAND = "command"
    MAPPING = "mapping"
    UNIT = "unit"
    DEMO = "demo"


def normalise_tax_id(value: str) -> str:
    return (value or "").strip().upper()


def period_days(statement: ReconciliationStatement) -> tuple[dt.date, dt.date]:
    """The statement's first and last day, in the company's time zone (``TIME_ZONE``)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return statement.start_time.astimezone(zone).date(), statement.end_time.astimezone(zone).date()


def _fits(column: str, value: Decimal) -> bool:
    """Whether a match row's ``column`` holds ``value`` (rounded to its places)."""
    bounds = field_bounds(MatchLine, column)
    try:
        bounds.decimal(value.quantize(Decimal(1).scaleb(-(bounds.decimal_places or 0)), rounding=ROUND_HALF_UP))
    except (BoundsError, InvalidOperation):
        return False
    return True


def _statement_records(
    lines: list[StatementLine], supplier_id: int
) -> tuple[list[StatementLineRecord], dict[int, tuple[Decimal, str, str]]]:
    """Pairing records of the statement's lines, and per line (factor, product code, note)."""
    mappings: dict[str, MappingRef] = {
        mapping.supplier_product_no: MappingRef(
            mapping.product_code, mapping.factor, mapping.unit.code if mapping.unit is not None else None
        )
        for mapping in ProductMapping.objects.filter(supplier_id=supplier_id).select_related("unit")
    }
    unmapped = {normalise_product_no(line.product_no) for line in lines} - set(mappings)
    codes = purchases.product_codes(unmapped)
    units: dict[str, UnitRef] = {}
    if any(m.unit for m in mappings.values()):
        units = {
            code: UnitRef(code, base, factor)
            for code, base, factor in Unit.objects.values_list("code", "base_unit__code", "base_factor")
        }
    records, extra = [], {}
    for line in lines:
        key = statement_line_key(
            product_no=line.product_no,
            unit=line.unit.code,
            item_name=line.item_name,
            specification=line.specification,
            buyer_item_name=line.buyer_item_name,
            buyer_specification=line.buyer_specification,
            mappings=mappings,
            product_codes=codes,
            units=units,
        )
        amounts = statement_line_amounts(
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount_without_tax=line.amount_without_tax,
            tax_percent=line.tax_percent,
            tax_amount=line.tax_amount,
            amount=line.amount,
        )
        quantity = line.quantity * key.factor
        if not (_fits("factor", key.factor) and _fits("statement_quantity", quantity)):
            # A conversion past what the match table holds (units of 1e9 base units
            # against 1e-6): not compared, as for a unit with no conversion.
            key = LineKey(
                f"{key.key}|unit:{line.unit.code}", key.source, Decimal(1), key.product_code, UNIT_NOT_CONVERTIBLE
            )
            quantity = line.quantity
        records.append(
            StatementLineRecord(
                id=line.pk,
                item_no=line.item_no,
                key=key.key,
                key_source=key.source,
                quantity=quantity,
                net=amounts.net,
                tax=amounts.tax,
                gross=amounts.gross,
            )
        )
        extra[line.pk] = (key.factor, key.product_code or "", key.note)
    return records, extra


def _purchase_record(row: Any) -> PurchaseLineRecord:
    net = row.quantity * row.rate
    return PurchaseLineRecord(
        id=row.line_id,
        purchase_id=row.purchase_id,
        purchase_number=row.purchase_number,
        issued_date=row.issued_date,
        line_number=row.line_number,
        code_key=code_key(row.product_code) if row.product_code else None,
        name_key=name_key(row.description),
        quantity=row.quantity,
        rate=row.rate,
        net=net,
        tax=row.vat_amount,
        gross=net + row.vat_amount,
    )


def _statement_totals(lines: list[StatementLine]) -> Amounts:
    total = Amounts.zero()
    for line in lines:
        amounts = statement_line_amounts(
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount_without_tax=line.amount_without_tax,
            tax_percent=line.tax_percent,
            tax_amount=line.tax_amount,
            amount=line.amount,
        )
        total += Amounts(amounts.net or 0, amounts.tax or 0, amounts.gross or 0)  # type: ignore[arg-type]
    return total.rounded()


def _set_amounts(match: StatementMatch, prefix: str, amounts: Amounts | None) -> None:
    for measure in ("net", "tax", "gross"):
        setattr(match, f"{prefix}_{measure}", None if amounts is None else getattr(amounts, measure))


def statement_match(*, statement: ReconciliationStatement | int, trigger: str, by: Any = None) -> StatementMatch:
    """Match one statement against purchases and store the result, replacing the
    previous one. Returns the stored ``StatementMatch`` (with ``lines``).

    Runs in one transaction holding the statement's row lock, so two runs of the
    same statement follow each other, and a purchase change that commits while
    it runs marks the result stale afterwards (``ran_at`` is taken under the lock,
    before the purchases are read). Queries: a fixed number, whatever the number
    of statement lines and purchases.
    """
    statement_id = statement if isinstance(statement, int) else statement.pk
    with transaction.atomic():
        locked = ReconciliationStatement.objects.select_for_update().get(pk=statement_id)
        ran_at = timezone.now()
        lines = list(StatementLine.objects.filter(statement=locked).select_related("unit").order_by("position"))
        match = StatementMatch.objects.filter(statement=locked).first() or StatementMatch(statement=locked)
        match.ran_at = ran_at
        match.trigger = trigger
        match.requested_by = by if getattr(by, "pk", None) else None
        match.stale_since = None
        match.rerun_due_at = None
        match.candidates = []
        match.supplier_id, match.supplier_code, match.supplier_name = None, "", ""
        match.currency, match.currency_assumed = locked.currency, False
        match.period_start, match.period_end = period_days(locked)
        match.purchase_count = match.other_currency_lines = 0
        _set_amounts(match, "statement", _statement_totals(lines))
        for prefix in ("purchases", "paired", "difference"):
            _set_amounts(match, prefix, None)
        match.difference_by_kind, match.line_counts = {}, {}

        company = normalise_tax_id(settings.COMPANY_TAX_ID)
        if not company:
            match.buyer_check = BuyerCheck.SKIPPED
        elif normalise_tax_id(locked.buyer_tax_id) != company:
            match.buyer_check = BuyerCheck.OTHER
        else:
            match.buyer_check = BuyerCheck.OK
        rows: list[MatchRow] = []
        extra: dict[int, tuple[Decimal, str, str]] = {}
        if match.buyer_check == BuyerCheck.OTHER:
            match.status = MatchStatus.OTHER_BUYER
        else:
            suppliers = purchases.suppliers_with_tax_id(normalise_tax_id(locked.supplier_tax_id))
            if not suppliers:
                match.status = MatchStatus.UNKNOWN_SUPPLIER
            elif len(suppliers) > 1:
                match.status = MatchStatus.AMBIGUOUS_SUPPLIER
                match.candidates = [{"id": s.id, "code": s.code, "name": s.name} for s in suppliers]
            else:
                rows, extra = _pair(match, lines, suppliers[0])
        match.save()
        MatchLine.objects.filter(match=match).delete()
        match_lines_store(
            match_id=match.pk,
            rows=[match_line_values(position, row, extra) for position, row in enumerate(rows, start=1)],
        )
    return match


def _pair(
    match: StatementMatch, lines: list[StatementLine], supplier: purchases.SupplierRef
) -> tuple[list[MatchRow], dict[int, tuple[Decimal, str, str]]]:
    """Pair the lines with the supplier's purchase lines of the period and set
    the match's supplier, currency, totals, counts and status."""
    match.supplier_id, match.supplier_code, match.supplier_name = supplier.id, supplier.code, supplier.name
    if not match.currency:
        match.currency = supplier.currency_code or purchases.books_currency()
        match.currency_assumed = True
    records, extra = _statement_records(lines, supplier.id)
    assert match.period_start is not None and match.period_end is not None  # noqa: S101 - set by the caller
    purchase_rows = purchases.purchase_lines_issued_between(
        supplier_id=supplier.id, first_day=match.period_start, last_day=match.period_end
    )
    in_scope = [row for row in purchase_rows if row.currency_code == match.currency]
    other_currency = [row for row in purchase_rows if row.currency_code != match.currency]
    match.purchase_count = len({row.purchase_id for row in in_scope})
    match.other_currency_lines = len(other_currency)
    purchase_records = [_purchase_record(row) for row in in_scope]
    result = pair_lines(records, purchase_records, tolerance=settings.RECONCILIATION_AMOUNT_TOLERANCE)
    totals = compute_totals(records, purchase_records, result)
    for prefix in ("statement", "purchases", "paired", "difference"):
        _set_amounts(match, prefix, getattr(totals, prefix))
    match.difference_by_kind = {
        kind: {"net": str(a.net), "tax": str(a.tax), "gross": str(a.gross)} for kind, a in totals.by_kind.items()
    }
    rows = match_rows(result.pairings, {row.line_id: row for row in in_scope}, other_currency)
    # Statement lines by status, and the purchase lines that no statement line took.
    match.line_counts = dict(
        Counter(
            row.status
            for row in rows
            if row.statement is not None or not row.pairing or not row.pairing.statement_lines
        )
    )
    # Purchases in another currency are listed apart and take no part (spec):
    # they neither make nor spoil "all matched".
    paired_rows = [row for row in rows if row.status != OTHER_CURRENCY]
    everything_matched = bool(paired_rows) and all(row.status == MATCHED for row in paired_rows)
    match.status = MatchStatus.ALL_MATCHED if everything_matched else MatchStatus.DIFFERENCES
    return rows, extra
