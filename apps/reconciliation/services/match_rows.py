"""Writing a match's rows: a statement against 10,000 purchase lines makes
10,000 rows, so on PostgreSQL they are written with one ``COPY`` of text built
here (no model instances, no per-value preparation by the ORM); elsewhere with
``bulk_create``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection

from apps.reconciliation.matching.lines import OTHER_CURRENCY, StatementLineRecord, round2
from apps.reconciliation.matching.pairing import Pairing
from apps.reconciliation.matching.records import NO_AMOUNTS
from apps.reconciliation.models import MatchLine

_FIELDS = [field for field in MatchLine._meta.concrete_fields if not field.primary_key and field.name != "match"]
# Every column of a match row but its id and ``match``, by attribute name.
MATCH_LINE_COLUMNS = [field.attname for field in _FIELDS]

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_line(row: Sequence[Any]) -> str:
    """One row in PostgreSQL's COPY text format (inline, not a call per value:
    a large period writes 400,000 values). Dates and aware date-times in ISO
    8601, Decimals as their exact text."""
    return "\t".join(
        [
            "\\N"
            if value is None
            else value.translate(_ESCAPES)
            if value.__class__ is str
            else ("t" if value else "f")
            if value.__class__ is bool
            else value.isoformat()
            if isinstance(value, dt.date)
            else str(value)
            for value in row
        ]
    )


def match_lines_store(*, match_id: int, rows: Sequence[Sequence[Any]]) -> None:
    """Insert the rows (values in ``MATCH_LINE_COLUMNS`` order) of one match, in
    the caller's transaction: one statement on PostgreSQL, whatever their number.
    Amounts are given rounded as stored (computed money to 2 places)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        MatchLine.objects.bulk_create(
            MatchLine(match_id=match_id, **dict(zip(MATCH_LINE_COLUMNS, row, strict=True))) for row in rows
        )
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in [MatchLine._meta.get_field("match").column, *(f.column for f in _FIELDS)])
    prefix = f"{match_id}\t"
    text = "".join([prefix + _copy_line(row) + "\n" for row in rows])
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(MatchLine._meta.db_table)} ({names}) FROM STDIN") as copy,
    ):
        copy.write(text.encode())


# --- rows from pairings ---------------------------------------------------------


@dataclass
class MatchRow:
    """A MatchLine to write, with the records it came from."""

    pairing_index: int
    status: str
    step: int
    statement: StatementLineRecord | None
    purchase: Any | None  # PurchaseLineRow
    pairing: Pairing | None
    first: bool


_COLUMN = {name: index for index, name in enumerate(MATCH_LINE_COLUMNS)}
_BLANK_ROW: list[Any] = [None] * len(MATCH_LINE_COLUMNS)
for _name in ("key_source", "product_code", "description", "purchase_currency", "purchase_product_code", "notes"):
    _BLANK_ROW[_COLUMN[_name]] = ""
_BLANK_ROW[_COLUMN["suggested"]] = False
_STATEMENT_SIDE = [
    _COLUMN[name]
    for name in (
        "statement_line_id",
        "key_source",
        "product_code",
        "factor",
        "statement_quantity",
        "statement_net",
        "statement_tax",
        "statement_gross",
    )
]
_PURCHASE_SIDE = [
    _COLUMN[name]
    for name in (
        "purchase_id",
        "purchase_number",
        "purchase_version",
        "purchase_issued_date",
        "purchase_currency",
        "purchase_line_id",
        "purchase_line_number",
        "description",
        "purchase_product_code",
        "purchase_quantity",
        "purchase_rate",
        "purchase_net",
        "purchase_tax",
        "purchase_gross",
    )
]
_DIFFERENCES = [
    _COLUMN[name] for name in ("quantity_difference", "net_difference", "tax_difference", "gross_difference")
]
_HEAD = [_COLUMN[name] for name in ("position", "pairing", "status", "step", "suggested")]


def match_line_values(position: int, row: MatchRow, extra: dict[int, tuple[Decimal, str, str]]) -> list[Any]:
    """The values of one match row, in ``MATCH_LINE_COLUMNS`` order (a row per
    pairing row; built as a list because a large period makes 10,000 of them)."""
    values = _BLANK_ROW.copy()
    pairing = row.pairing
    notes: list[str] = []
    suggested = False
    if pairing is not None:
        suggested = pairing.suggested
        notes += pairing.notes
        if row.first:
            differences: tuple[Any, ...] = (
                pairing.quantity_difference,
                pairing.net_difference,
                pairing.tax_difference,
                pairing.gross_difference,
            )
            for index, value in zip(_DIFFERENCES, differences, strict=True):
                values[index] = value
    head: tuple[Any, ...] = (position, row.pairing_index, row.status, row.step, suggested)
    for index, value in zip(_HEAD, head, strict=True):
        values[index] = value
    record = row.statement
    if record is not None:
        factor, product_code, note = extra[record.id]
        statement_side: tuple[Any, ...] = (
            record.id,
            record.key_source,
            product_code,
            factor,
            record.quantity,
            record.net,
            record.tax,
            record.gross,
        )
        for index, value in zip(_STATEMENT_SIDE, statement_side, strict=True):
            values[index] = value
        if note:
            notes.append(note)
        if record.net is None:
            notes.append(NO_AMOUNTS)
    p = row.purchase
    if p is not None:
        net = p.quantity * p.rate
        purchase_side: tuple[Any, ...] = (
            p.purchase_id,
            p.purchase_number,
            p.purchase_version,
            p.issued_date,
            p.currency_code,
            p.line_id,
            p.line_number,
            p.description[:1000],
            p.product_code or "",
            p.quantity,
            p.rate,
            round2(net),
            p.vat_amount,
            round2(net + p.vat_amount),
        )
        for index, value in zip(_PURCHASE_SIDE, purchase_side, strict=True):
            values[index] = value
    if notes:
        values[_COLUMN["notes"]] = ",".join(dict.fromkeys(notes))
    return values


def match_rows(pairings: list[Pairing], purchase_rows: dict[int, Any], other_currency: list[Any]) -> list[MatchRow]:
    rows: list[MatchRow] = []
    for index, pairing in enumerate(pairings, start=1):
        for j in range(max(len(pairing.statement_lines), len(pairing.purchase_lines))):
            statement = pairing.statement_lines[j] if j < len(pairing.statement_lines) else None
            purchase = purchase_rows[pairing.purchase_lines[j].id] if j < len(pairing.purchase_lines) else None
            rows.append(MatchRow(index, pairing.status, pairing.step, statement, purchase, pairing, j == 0))
    start = len(pairings) + 1
    for offset, row in enumerate(other_currency):
        rows.append(MatchRow(start + offset, OTHER_CURRENCY, 0, None, row, None, True))
    return rows
