"""Reads of statements that are more than a plain filter."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Sum

from apps.reconciliation import messages
from apps.reconciliation.models import (
    LineStatus,
    MatchLine,
    MatchStatus,
    ReconciliationStatement,
    ReconciliationStatementQuerySet,
    StatementLine,
    StatementMatch,
)


def statement_list() -> ReconciliationStatementQuerySet:
    """Statements with everything the read API and the exports show, in a fixed
    number of queries: the statement page and one query for all their lines."""
    lines = StatementLine.objects.select_related("unit").order_by("position")
    return ReconciliationStatement.objects.select_related("client", "reviewed_by").prefetch_related(
        Prefetch("lines", queryset=lines)
    )


# --- matching against purchases --------------------------------------------------


def statement_match_result(statement: ReconciliationStatement) -> StatementMatch | None:
    """The stored match of a statement with its rows (and their statement lines),
    in two queries; None when it never ran."""
    rows = MatchLine.objects.select_related("statement_line__unit").order_by("position")
    return (
        StatementMatch.objects.select_related("requested_by")
        .prefetch_related(Prefetch("lines", queryset=rows))
        .filter(statement=statement)
        .first()
    )


def match_purchases(match: StatementMatch) -> list[dict[str, Any]]:
    """The purchases a match used, with the version (last change) it saw, by number."""
    seen: dict[int, dict[str, Any]] = {}
    for row in match.lines.all():
        if row.purchase_id is not None and row.purchase_id not in seen:
            seen[row.purchase_id] = {
                "id": row.purchase_id,
                "number": row.purchase_number,
                "version": row.purchase_version,
                "currency": row.purchase_currency,
            }
    return sorted(seen.values(), key=lambda p: p["number"] or 0)


DISPUTE_REASON_MAX_LENGTH = 2000
CENT = Decimal("0.01")


def dispute_reason_from_match(match: StatementMatch, *, max_length: int = DISPUTE_REASON_MAX_LENGTH) -> str:
    """A dispute reason listing the differences the match found (statement minus
    our books), one per pairing, then the total; cut to ``max_length``
    characters with a count of what was left out. Empty when all matched."""
    if match.status != MatchStatus.DIFFERENCES:
        return ""
    head = str(messages.DISPUTE_FROM_MATCH_HEAD).format(currency=match.currency or "?")
    total = str(messages.DISPUTE_TOTAL).format(
        net=_plain(match.difference_net), tax=_plain(match.difference_tax), gross=_plain(match.difference_gross)
    )
    entries: list[str] = []
    for row in match.lines.all():
        if row.status == LineStatus.MATCHED or (row.status != LineStatus.OTHER_CURRENCY and row.net_difference is None):
            continue
        if row.statement_line is not None:
            text = str(messages.DISPUTE_LINE_STATEMENT).format(
                item_no=row.statement_line.item_no,
                product_no=row.statement_line.product_no,
                status=row.get_status_display(),
            )
        else:
            text = str(messages.DISPUTE_LINE_PURCHASE).format(
                number=row.purchase_number,
                line=row.purchase_line_number,
                description=row.description[:60],
                status=row.get_status_display(),
            )
        parts = []
        if row.quantity_difference:
            parts.append(str(messages.DISPUTE_QUANTITY).format(quantity=_signed(row.quantity_difference, money=False)))
        if row.net_difference is not None:
            parts.append(str(messages.DISPUTE_NET).format(net=_signed(row.net_difference)))
        if row.tax_difference and row.status == LineStatus.AMOUNT_DIFFERS:
            parts.append(str(messages.DISPUTE_TAX).format(tax=_signed(row.tax_difference)))
        entries.append(f"- {text}" + (f": {', '.join(parts)}" if parts else ""))
    lines = [head]
    used = len(head) + len(total) + 2
    for index, entry in enumerate(entries):
        left_after = len(entries) - index - 1
        reserve = len(str(messages.DISPUTE_MORE).format(count=left_after)) + 1 if left_after else 0
        if used + len(entry) + 1 + reserve > max_length:
            lines.append(str(messages.DISPUTE_MORE).format(count=len(entries) - index))
            break
        lines.append(entry)
        used += len(entry) + 1
    lines.append(total)
    return "\n".join(lines)[:max_length]


def _plain(value: Decimal | None) -> str:
    return "-" if value is None else format(value.quantize(CENT), "f")


def _signed(value: Decimal, *, money: bool = True) -> str:
    """+1, -3942.86: the sign always shown (statement minus our books)."""
    text = format(value.quantize(CENT), "f") if money else format(value.normalize(), "f")
    return text if value < 0 else f"+{text}"


def statements_awaiting_review() -> dict[str, Any]:
    """How many statements wait for a review, and the oldest of them (by receipt)."""
    waiting = ReconciliationStatement.objects.filter(status=ReconciliationStatement.Status.RECEIVED)
    return {"count": waiting.count(), "oldest": waiting.order_by("created_at", "pk").first()}


def statement_totals(statement: ReconciliationStatement) -> dict[str, Any]:
    """The statement's own sums for its review: lines excluding tax, tax, lines
    including tax (the statement total), and the difference between that total
    and net + tax (zero on a consistent statement)."""
    sums = statement.lines.aggregate(
        net=Sum("amount_without_tax"), tax=Sum("tax_amount"), gross=Sum("amount"), count=Count("pk")
    )
    net = sums["net"] or Decimal(0)
    tax = sums["tax"] or Decimal(0)
    gross = sums["gross"] or Decimal(0)
    return {
        "currency": statement.currency,
        "count": sums["count"],
        "net": net,
        "tax": tax,
        "gross": gross,
        "net_plus_tax": net + tax,
        "difference": gross - (net + tax),
    }
