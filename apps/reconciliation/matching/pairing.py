"""Pairing of statement lines with purchase lines: a pure function over line
records (no database), so that every rule can be tested on its own.

Source of the rules: the project's reconciliation-matching spec, "Pairing, in
this order". Amounts are compared net (the statement's ``unitPrice`` and
``amount`` include tax; a purchase line's ``Rate`` does not), each within the
tolerance (``RECONCILIATION_AMOUNT_TOLERANCE``); unit prices are compared
through the amounts they give (quantity x price difference).

The order, per product key:

1. **One to one**: a statement line and the first free purchase line of the
   same key and quantity whose net, tax and gross all agree -> ``matched``.
2. **Grouped**: the first remaining statement line anchors a net unit price;
   the remaining statement and purchase lines of the key at that price are
   summed on each side. Equal quantities and net -> ``matched`` (or ``amount
   differs`` when tax or gross does not agree); otherwise ``quantity
   differs``.
3. **Same key, other price**: first one to one by equal quantity, then all
   that is left of the key on both sides as one group -> ``price differs``,
   or ``amount differs`` when quantity and net agree but tax or gross does
   not (``matched`` when they all agree, e.g. deliveries split at two prices
   that add up).
4. **Left over**: statement lines -> ``not in purchases``; purchase lines ->
   ``not on statement``.

Keys come in two passes. Product keys (a mapping, or a product code equal to
``productNo``) are paired first; then statement lines keyed by name are paired
with what is left of the purchase lines, compared by description (with or
without a product): these pairings are *suggestions* a reviewer may accept.

Within each step lines are taken in statement ``itemNo`` order (numbers in
their numeric order) and purchase (issued date, number, line number) order,
so the result is deterministic.

Every difference is *statement minus purchases*: a positive amount is money
the supplier claims that our books do not hold. (The spec's worked example
writes the quantity case as "-1 unit, -3942.86"; under this one sign rule it
is +1 unit, +3942.86, the same sign as its price case, 428.58, and the
differences by kind add up to the total difference.)
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from apps.reconciliation.matching.lines import (
    AMOUNT_DIFFERS,
    CENT,
    DIFFERENCE_KINDS,
    KEY_BY_CODE,
    KEY_BY_MAPPING,
    KEY_BY_NAME,
    KIND_OF_STATUS,
    LINE_STATUSES,
    MATCHED,
    NOT_IN_PURCHASES,
    NOT_ON_STATEMENT,
    NOTE_QUANTITY_DIFFERS_TOO,
    OTHER_CURRENCY,
    PRICE_DIFFERS,
    QUANTITY_DIFFERS,
    ZERO,
    PurchaseLineRecord,
    StatementLineRecord,
    code_key,
    name_key,
    natural_key,
    normalise_name,
    round2,
)

__all__ = [
    "AMOUNT_DIFFERS",
    "CENT",
    "DIFFERENCE_KINDS",
    "KEY_BY_CODE",
    "KEY_BY_MAPPING",
    "KEY_BY_NAME",
    "KIND_OF_STATUS",
    "LINE_STATUSES",
    "MATCHED",
    "NOTE_QUANTITY_DIFFERS_TOO",
    "NOT_IN_PURCHASES",
    "NOT_ON_STATEMENT",
    "OTHER_CURRENCY",
    "PRICE_DIFFERS",
    "QUANTITY_DIFFERS",
    "ZERO",
    "Pairing",
    "PairingResult",
    "PurchaseLineRecord",
    "StatementLineRecord",
    "code_key",
    "name_key",
    "natural_key",
    "normalise_name",
    "pair_lines",
    "round2",
]


@dataclass(slots=True)
class Pairing:
    """Statement lines and purchase lines that ended together, with their status
    and the differences (statement minus purchases; None when not comparable)."""

    status: str
    statement_lines: list[StatementLineRecord]
    purchase_lines: list[PurchaseLineRecord]
    step: int
    suggested: bool = False
    quantity_difference: Decimal | None = None
    net_difference: Decimal | None = None
    tax_difference: Decimal | None = None
    gross_difference: Decimal | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class PairingResult:
    pairings: list[Pairing]

    def by_status(self, status: str) -> list[Pairing]:
        return [p for p in self.pairings if p.status == status]


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    total = ZERO
    for value in values:
        if value is None:
            return None
        total += value
    return total


def _agree(a: Decimal | None, b: Decimal | None, tolerance: Decimal) -> bool:
    """Two amounts agree within the tolerance; an unknown amount is not compared."""
    return a is None or b is None or abs(a - b) <= tolerance


def _difference(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else round2(a - b)


class _Pairer:
    def __init__(
        self,
        statement_lines: Sequence[StatementLineRecord],
        purchase_lines: Sequence[PurchaseLineRecord],
        tolerance: Decimal,
    ) -> None:
        self.tolerance = tolerance
        self.statement_lines = sorted(statement_lines, key=lambda s: (natural_key(s.item_no), s.id))
        self.purchase_lines = sorted(purchase_lines, key=lambda p: (p.order, p.id))
        self.purchase_order = {p.id: i for i, p in enumerate(self.purchase_lines)}
        self.statement_order = {s.id: i for i, s in enumerate(self.statement_lines)}
        self.free_purchases: set[int] = {p.id for p in self.purchase_lines}
        self.free_statement: set[int] = {s.id for s in self.statement_lines}
        self.pairings: list[Pairing] = []

    # --- the steps, for one pass (product keys, then names) ---------------------

    def run_pass(self, key_sources: tuple[str, ...], purchase_key: str) -> None:
        statement_by_key: dict[str, list[StatementLineRecord]] = defaultdict(list)
        for line in self.statement_lines:
            if line.key_source in key_sources and line.id in self.free_statement:
                statement_by_key[line.key].append(line)
        if not statement_by_key:
            return
        purchases_by_key: dict[str, list[PurchaseLineRecord]] = defaultdict(list)
        for p in self.purchase_lines:
            key = p.code_key if purchase_key == "code" else p.name_key
            if key is not None and key in statement_by_key and p.id in self.free_purchases:
                purchases_by_key[key].append(p)
        for key, lines in statement_by_key.items():
            purchases = purchases_by_key.get(key, [])
            if purchases:
                self._one_to_one(lines, purchases)
        for key, lines in statement_by_key.items():
            purchases = [p for p in purchases_by_key.get(key, []) if p.id in self.free_purchases]
            if purchases:
                self._grouped(lines, purchases)
        for key, lines in statement_by_key.items():
            purchases = [p for p in purchases_by_key.get(key, []) if p.id in self.free_purchases]
            if purchases:
                self._same_key_other_price(lines, purchases)

    def _take(
        self,
        status: str,
        step: int,
        statement_lines: list[StatementLineRecord],
        purchases: list[PurchaseLineRecord],
        notes: list[str] | None = None,
    ) -> Pairing:
        for s in statement_lines:
            self.free_statement.discard(s.id)
        for p in purchases:
            self.free_purchases.discard(p.id)
        s_qty = sum((s.quantity for s in statement_lines), ZERO)
        p_qty = sum((p.quantity for p in purchases), ZERO)
        pairing = Pairing(
            status=status,
            statement_lines=statement_lines,
            purchase_lines=purchases,
            step=step,
            suggested=bool(purchases) and any(s.suggested for s in statement_lines),
            quantity_difference=s_qty - p_qty,
            net_difference=_difference(_sum(s.net for s in statement_lines), _sum(p.net for p in purchases)),
            tax_difference=_difference(_sum(s.tax for s in statement_lines), _sum(p.tax for p in purchases)),
            gross_difference=_difference(_sum(s.gross for s in statement_lines), _sum(p.gross for p in purchases)),
            notes=notes or [],
        )
        self.pairings.append(pairing)
        return pairing

    def _amounts_agree(self, statement_lines: list[StatementLineRecord], purchases: list[PurchaseLineRecord]) -> bool:
        """Tax and gross agree (net is checked by the caller)."""
        tolerance = self.tolerance
        return _agree(_sum(s.tax for s in statement_lines), _sum(p.tax for p in purchases), tolerance) and _agree(
            _sum(s.gross for s in statement_lines), _sum(p.gross for p in purchases), tolerance
        )

    def _one_to_one(self, lines: list[StatementLineRecord], purchases: list[PurchaseLineRecord]) -> None:
        """Step 1: same quantity, and net, tax and gross within the tolerance."""
        by_quantity: dict[Decimal, list[PurchaseLineRecord]] = defaultdict(list)
        for p in purchases:
            by_quantity[p.quantity].append(p)
        tolerance = self.tolerance
        for s in lines:
            if s.id not in self.free_statement:
                continue
            for p in by_quantity.get(s.quantity, ()):
                if (
                    p.id in self.free_purchases
                    and _agree(s.net, p.net, tolerance)
                    and _agree(s.tax, p.tax, tolerance)
                    and _agree(s.gross, p.gross, tolerance)
                ):
                    self._take(MATCHED, 1, [s], [p])
                    break

    def _grouped(self, lines: list[StatementLineRecord], purchases: list[PurchaseLineRecord]) -> None:
        """Step 2: lines at the same net unit price, summed on each side."""
        tolerance = self.tolerance
        # Purchase lines sorted by rate, to find those near a price by bisection:
        # |quantity x (price - rate)| <= tolerance means the rate lies within
        # tolerance / quantity of the price, at most tolerance / (least quantity).
        by_rate = sorted(purchases, key=lambda p: (p.rate, self.purchase_order[p.id]))
        rates = [p.rate for p in by_rate]
        least = min((abs(p.quantity) for p in purchases if p.quantity), default=Decimal(1))
        reach = tolerance / least
        for anchor in lines:
            if anchor.id not in self.free_statement or anchor.net is None or not anchor.quantity:
                continue
            price = anchor.net / anchor.quantity
            low, high = bisect_left(rates, price - reach), bisect_right(rates, price + reach)
            group_purchases = [
                p
                for p in by_rate[low:high]
                if p.id in self.free_purchases and p.quantity and abs(p.quantity * (price - p.rate)) <= tolerance
            ]
            if not group_purchases:
                continue
            group_purchases.sort(key=lambda p: self.purchase_order[p.id])
            group_lines = [
                s
                for s in lines
                if s.id in self.free_statement
                and s.net is not None
                and s.quantity
                and abs(s.quantity * price - s.net) <= tolerance
            ]
            s_qty = sum((s.quantity for s in group_lines), ZERO)
            p_qty = sum((p.quantity for p in group_purchases), ZERO)
            s_net = _sum(s.net for s in group_lines)
            p_net = _sum(p.net for p in group_purchases)
            if s_qty == p_qty and _agree(s_net, p_net, tolerance):
                status = MATCHED if self._amounts_agree(group_lines, group_purchases) else AMOUNT_DIFFERS
            else:
                status = QUANTITY_DIFFERS
            self._take(status, 2, group_lines, group_purchases)

    def _same_key_other_price(self, lines: list[StatementLineRecord], purchases: list[PurchaseLineRecord]) -> None:
        """Step 3: one to one by equal quantity first, then the rest of the key as one group."""
        for s in lines:
            if s.id not in self.free_statement:
                continue
            for p in purchases:
                if p.id in self.free_purchases and p.quantity == s.quantity:
                    self._take(self._other_price_status([s], [p]), 3, [s], [p])
                    break
        rest_lines = [s for s in lines if s.id in self.free_statement]
        rest_purchases = [p for p in purchases if p.id in self.free_purchases]
        if rest_lines and rest_purchases:
            status = self._other_price_status(rest_lines, rest_purchases)
            notes = []
            if status == PRICE_DIFFERS:
                s_qty = sum((s.quantity for s in rest_lines), ZERO)
                p_qty = sum((p.quantity for p in rest_purchases), ZERO)
                if s_qty != p_qty:
                    notes.append(NOTE_QUANTITY_DIFFERS_TOO)
            self._take(status, 3, rest_lines, rest_purchases, notes)

    def _other_price_status(self, lines: list[StatementLineRecord], purchases: list[PurchaseLineRecord]) -> str:
        s_qty = sum((s.quantity for s in lines), ZERO)
        p_qty = sum((p.quantity for p in purchases), ZERO)
        s_net = _sum(s.net for s in lines)
        if s_qty == p_qty and _agree(s_net, _sum(p.net for p in purchases), self.tolerance):
            return MATCHED if self._amounts_agree(lines, purchases) else AMOUNT_DIFFERS
        if s_net is None:  # no amounts on the statement: only the quantity can differ
            return QUANTITY_DIFFERS
        return PRICE_DIFFERS

    # --- step 4 and the order of the result ---------------------------------------

    def finish(self) -> PairingResult:
        for s in self.statement_lines:
            if s.id in self.free_statement:
                self._take(NOT_IN_PURCHASES, 4, [s], [])
        statement_order, purchase_order = self.statement_order, self.purchase_order
        ordered: list[tuple[tuple[int, int], Pairing]] = []
        for pairing in self.pairings:
            pairing.statement_lines.sort(key=lambda s: statement_order[s.id])
            pairing.purchase_lines.sort(key=lambda p: purchase_order[p.id])
            ordered.append(((0, statement_order[pairing.statement_lines[0].id]), pairing))
        ordered.sort(key=lambda item: item[0])
        pairings = [pairing for _order, pairing in ordered]
        # What no statement line took, in purchase order (the bulk of a large
        # period: built directly, without the group sums).
        for p in self.purchase_lines:
            if p.id in self.free_purchases:
                pairings.append(
                    Pairing(
                        status=NOT_ON_STATEMENT,
                        statement_lines=[],
                        purchase_lines=[p],
                        step=4,
                        quantity_difference=-p.quantity,
                        net_difference=round2(-p.net),
                        tax_difference=round2(-p.tax),
                        gross_difference=round2(-p.gross),
                    )
                )
        self.free_purchases.clear()
        return PairingResult(pairings)


def pair_lines(
    statement_lines: Sequence[StatementLineRecord],
    purchase_lines: Sequence[PurchaseLineRecord],
    *,
    tolerance: Decimal,
) -> PairingResult:
    """Pair the statement's lines with the purchase lines in scope (same
    supplier, period and currency). Returns every statement line and every
    purchase line exactly once, in pairings ordered by their first statement
    line, then the purchase lines not on the statement in purchase order."""
    pairer = _Pairer(statement_lines, purchase_lines, tolerance)
    pairer.run_pass((KEY_BY_MAPPING, KEY_BY_CODE), "code")
    pairer.run_pass((KEY_BY_NAME,), "name")
    return pairer.finish()
