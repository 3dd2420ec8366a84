"""Writing a match's rows: a statement against 10,000 purchase lines makes
10,000 rows, so on PostgreSQL they are written with one ``COPY`` of text built
here (no model instances, no per-value preparation by the ORM); elsewhere with
``bulk_create``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection

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
