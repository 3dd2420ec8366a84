"""Staged rows live in a table of their own, in the database.

A report's valid rows are loaded into a fresh table shaped like the target
(``<target>__stage_<hex>``) while they are validated, in the transaction that
records the import job: an invalid report, a conflict (409) or a crash of the
web process rolls the table back with everything else. On PostgreSQL the load
is one ``COPY ... FROM STDIN (FREEZE)`` streamed as rows are validated, into a
table without indexes, so PostgreSQL parses and stores on one core while Python
validates on the other; the table later becomes a partition of the target
(``partitions``). Elsewhere (SQLite) rows are inserted in batches and copied
into the target when the job is applied.

Every staged row ends with ``row_hash``, the MD5 of its other values as COPY
text: the change counts compare it between the old and the new rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import connection
from django.db.models import Model


@dataclass(frozen=True, slots=True)
class CopyTextBlock:
    """COPY text of ``rows`` rows, each line ending with its row digest (the fast
    path's output, ``apps.core.importing.blocks.copy_text``)."""

    text: str
    rows: int


try:  # CPython's own MD5: the digests of hashlib.md5 (OpenSSL's) without its per-call set-up
    from _md5 import md5  # 0.75 against 1.2 µs for a 300-byte line on a 2-core machine
except ImportError:  # a build without it
    md5 = partial(hashlib.md5, usedforsecurity=False)

STAGE_MARK = "__stage_"
OLD_MARK = "__old_"
COPY_BATCH_ROWS = 2000


def copy_text_value(value: Any) -> str:
    """One value as PostgreSQL COPY text (escaped; ``\\N`` for null)."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | Decimal | dt.date):
        return str(value)
    if isinstance(value, list | dict):
        return copy_text_value(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    raise TypeError(f"cannot stage {type(value).__name__}")


def copy_line(values: Sequence[Any]) -> str:
    """One row as a PostgreSQL COPY text line (tab-separated, ``\\N`` for null),
    ending with the MD5 of the rest of it (the row digest) and a newline."""
    # The hot loop of every import: the common types inline, the rest via _copy_text.
    parts = []
    for value in values:
        kind = type(value)
        if kind is str:
            if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
                value = copy_text_value(value)
            parts.append(value)
        elif kind is Decimal or kind is int or kind is dt.date:
            parts.append(str(value))
        else:
            parts.append(copy_text_value(value))
    line = "\t".join(parts)
    return f"{line}\t{md5(line.encode()).hexdigest()}\n"


def _unescape(value: str) -> str | None:
    if value == "\\N":
        return None
    if "\\" not in value:
        return value
    out = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}.get(nxt, nxt))
        else:
            out.append(char)
    return "".join(out)


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


class StageTable:
    """The staged rows of one import: a table named after its target."""

    def __init__(self, name: str, *, model: type[Model], columns: Sequence[str]) -> None:
        self.name = name
        self.model = model
        self.columns = list(columns)  # staged columns in order, row_hash last

    @property
    def target(self) -> str:
        return self.model._meta.db_table

    @classmethod
    def create(cls, *, model: type[Model], columns: Sequence[str]) -> StageTable:
        """Create an empty stage table for ``columns`` of ``model``'s table, in the
        current transaction. On PostgreSQL it has the target's column types, defaults
        (the id sequence) and CHECK constraints but no index and none of the columns
        that the apply fills in (e.g. the job id)."""
        name = f"{model._meta.db_table}{STAGE_MARK}{uuid.uuid4().hex[:12]}"
        stage = cls(name, model=model, columns=columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"CREATE TABLE {quote(name)} (LIKE {quote(stage.target)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
                )
                staged = {*columns, model._meta.pk.column}  # type: ignore[union-attr]
                for column in table_columns(cursor, stage.target):
                    if column not in staged:
                        cursor.execute(f"ALTER TABLE {quote(name)} DROP COLUMN {quote(column)}")
            else:
                selected = ", ".join(quote(c) for c in columns)
                cursor.execute(
                    f"CREATE TABLE {quote(name)} AS SELECT {selected} FROM {quote(stage.target)} WHERE 0 = 1"  # noqa: S608 - names from the model
                )
        return stage

    def load(self, rows: Iterable[Any], *, progress: Callable[[int], None] | None = None) -> int:
        """Write ``rows`` (values of every staged column but row_hash, or on
        PostgreSQL whole blocks of COPY text with their digests) as they come."""
        if connection.vendor == "postgresql":
            return self._copy(rows, progress)
        return self._insert(rows, progress)

    def _copy(self, rows: Iterable[Any], progress: Callable[[int], None] | None) -> int:
        quoted = ", ".join(quote(c) for c in self.columns)
        count = 0
        lines: list[str] = []
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
            # FREEZE: the table was created in this transaction, so its rows can be
            # written frozen (no hint-bit rewrite of every page by the index build).
            with raw.copy(f"COPY {quote(self.name)} ({quoted}) FROM STDIN (FREEZE)") as copy:
                for values in rows:
                    if isinstance(values, CopyTextBlock):  # a whole block, written by the fast path
                        if lines:
                            copy.write("".join(lines).encode())
                            count += len(lines)
                            lines.clear()
                        copy.write(values.text.encode())
                        count += values.rows
                        if progress is not None:
                            progress(count)
                        continue
                    lines.append(copy_line(values))
                    if len(lines) >= COPY_BATCH_ROWS:
                        copy.write("".join(lines).encode())
                        count += len(lines)
                        lines.clear()
                        if progress is not None:
                            progress(count)
                if lines:
                    copy.write("".join(lines).encode())
                    count += len(lines)
        return count

    def _insert(self, rows: Iterable[Sequence[Any]], progress: Callable[[int], None] | None) -> int:
        quoted = ", ".join(quote(c) for c in self.columns)
        placeholders = ", ".join(["%s"] * len(self.columns))
        sql = f"INSERT INTO {quote(self.name)} ({quoted}) VALUES ({placeholders})"  # noqa: S608 - names from the model
        count = 0
        batch: list[list[Any]] = []
        with connection.cursor() as cursor:
            for values in rows:
                # The same text as COPY would store, so the row digests agree.
                line = copy_line(values)
                batch.append([_unescape(v) for v in line.rstrip("\n").split("\t")])
                if len(batch) >= 5000:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch.clear()
                    if progress is not None:
                        progress(count)
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        return count

    def exists(self) -> bool:
        with connection.cursor() as cursor:
            return self.name in connection.introspection.table_names(cursor)

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {quote(self.name)}")


def table_columns(cursor: Any, table: str) -> list[str]:
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def leftover_tables(*, referenced: Iterable[str]) -> list[str]:
    """Stage tables no import job refers to and detached old partitions: what a
    crash between two steps may leave behind (the purge drops them)."""
    keep = set(referenced)
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
    return [name for name in names if (STAGE_MARK in name and name not in keep) or OLD_MARK in name]
