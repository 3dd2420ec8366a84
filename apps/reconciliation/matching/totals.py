"""Totals of one match: the statement, the purchases in scope, those paired, the
difference (statement minus purchases) and that difference split by kind.

Source: the project's reconciliation-matching spec, "Totals".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from apps.reconciliation.matching.lines import (
    DIFFERENCE_KINDS,
    KIND_OF_STATUS,
    ZERO,
    PurchaseLineRecord,
    StatementLineRecord,
    round2,
)
from apps.reconciliation.matching.pairing import PairingResult


@dataclass(frozen=True)
class Amounts:
    net: Decimal
    tax: Decimal
    gross: Decimal

    @classmethod
    def zero(cls) -> Amounts:
        return cls(ZERO, ZERO, ZERO)

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(self.net + other.net, self.tax + other.tax, self.gross + other.gross)

    def __sub__(self, other: Amounts) -> Amounts:
        return Amounts(self.net - other.net, self.tax - other.tax, self.gross - other.gross)

    def rounded(self) -> Amounts:
        return Amounts(round2(self.net), round2(self.tax), round2(self.gross))


@dataclass(frozen=True)
class Totals:
    """Totals of one match (2 places): the statement, the purchases in scope,
    those of them paired with statement lines, the difference (statement minus
    purchases in scope) and that difference split by kind, which adds up to it."""

    statement: Amounts
    purchases: Amounts
    paired: Amounts
    difference: Amounts
    by_kind: dict[str, Amounts]


def compute_totals(
    statement_lines: Iterable[StatementLineRecord],
    purchase_lines: Iterable[PurchaseLineRecord],
    result: PairingResult,
) -> Totals:
    """Statement lines without amounts count as 0 in the money totals."""

    def statement_amounts(lines: Iterable[StatementLineRecord]) -> Amounts:
        net = tax = gross = ZERO
        for s in lines:
            net += s.net or ZERO
            tax += s.tax or ZERO
            gross += s.gross or ZERO
        return Amounts(net, tax, gross)

    def purchase_amounts(lines: Iterable[PurchaseLineRecord]) -> Amounts:
        net = tax = gross = ZERO
        for p in lines:
            net += p.net
            tax += p.tax
            gross += p.gross
        return Amounts(net, tax, gross)

    statement = statement_amounts(statement_lines).rounded()
    # A purchase's net is rounded once, over its lines (the purchases rule); the
    # sum over many purchases may therefore differ from this by rounding, which
    # lands in within_tolerance.
    purchases = purchase_amounts(purchase_lines).rounded()
    paired = purchase_amounts(
        p for pairing in result.pairings if pairing.statement_lines for p in pairing.purchase_lines
    )
    difference = statement - purchases
    exact: dict[str, Amounts] = {kind: Amounts.zero() for kind in DIFFERENCE_KINDS}
    for status in KIND_OF_STATUS:
        taken = [pairing for pairing in result.pairings if pairing.status == status]
        exact[KIND_OF_STATUS[status]] += statement_amounts(
            s for pairing in taken for s in pairing.statement_lines
        ) - purchase_amounts(p for pairing in taken for p in pairing.purchase_lines)
    by_kind = {kind: amounts.rounded() for kind, amounts in exact.items() if kind != "within_tolerance"}
    explained = Amounts.zero()
    for amounts in by_kind.values():
        explained += amounts
    by_kind["within_tolerance"] = difference - explained
    return Totals(
        statement=statement,
        purchases=purchases,
        paired=paired.rounded(),
        difference=difference,
        by_kind={kind: by_kind[kind] for kind in DIFFERENCE_KINDS},
    )
