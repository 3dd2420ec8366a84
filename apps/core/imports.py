"""The bulk-import pipeline shared by the SAP imports (invoices, AP open balance).

1. ``iter_json_array`` streams the rows of a JSON array from a file through the
   JSON guard (``apps.core.json_guard``), so memory does not grow with the body
   and hostile JSON is refused before any row is staged.
2. The importer validates each row into a tuple of column values and hands it to
   a ``StagedRows`` writer, which writes PostgreSQL COPY text to a file on disk
   and a digest per row (used to count changed rows).
3. A Celery task later loads the staged file with ``copy_staged_rows``: one
   ``COPY ... FROM STDIN`` on PostgreSQL (the file is already in COPY format,
   so Python touches bytes, not rows), batched INSERTs elsewhere (SQLite), all
   inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, connections
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError

from apps.core import json_guard
from apps.core.exceptions import ValidationFailed
from apps.core.models import ImportJob
from apps.core.parsing import NOT_AN_OBJECT as NOT_AN_OBJECT_ROW
from apps.core.parsing import REQUIRED as FIELD_REQUIRED
from apps.core.parsing import FieldError

MAX_REPORTED_ERRORS = 100
NOT_AN_ARRAY = _("The body must be a JSON array of objects.")


class ErrorCollector:
    """Keeps the first ``limit`` row errors and counts them all."""

    def __init__(self, limit: int = MAX_REPORTED_ERRORS) -> None:
        self.limit = limit
        self.errors: list[dict[str, Any]] = []
        self.count = 0

    def add(self, index: int, field: str, message: object) -> None:
        self.count += 1
        if len(self.errors) < self.limit:
            self.errors.append({"index": index, "field": field, "message": str(message)})

    def __bool__(self) -> bool:
        return self.count > 0

    def raise_if_any(self, message: object) -> None:
        if self.count:
            raise ValidationFailed(message, errors=self.errors, error_count=self.count)


def iter_json_array(file: IO[bytes]) -> Iterator[Any]:
    """Yield the items of a top-level JSON array, streaming. Numbers with a fraction
    come as Decimal. Malformed JSON raises ParseError (HTTP 400)."""
    file.seek(0)
    head = file.read(64).lstrip()
    file.seek(0)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:].lstrip()
    if not head.startswith(b"["):
        if head[:1] in (b"{", b'"') or head[:1].isdigit():
            raise ValidationFailed(NOT_AN_ARRAY, errors=[{"index": 0, "field": "", "message": str(NOT_AN_ARRAY)}])
        raise ParseError("the body is not a JSON array")
    # The JSON guard (depth, string length, surrogates, duplicate keys; linear time).
    yield from json_guard.iter_array(file)


def _copy_text(value: Any) -> str:
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
        return _copy_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    raise TypeError(f"cannot stage {type(value).__name__}")


class StagedRows:
    """Writes validated rows as PostgreSQL COPY text lines (tab-separated, \\N for
    null). The last column of every line is the MD5 of the rest of it: the row
    digest used to tell changed rows from unchanged ones."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed in close()
        self.rows = 0

    def write(self, values: Sequence[Any]) -> None:
        # The hot loop of every import: the common types inline, the rest via _copy_text.
        parts = []
        for value in values:
            kind = type(value)
            if kind is str:
                if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
                    value = _copy_text(value)
                parts.append(value)
            elif kind is Decimal or kind is int or kind is dt.date:
                parts.append(str(value))
            else:
                parts.append(_copy_text(value))
        line = "\t".join(parts)
        digest = hashlib.md5(line.encode(), usedforsecurity=False).hexdigest()
        self._file.write(f"{line}\t{digest}\n")
        self.rows += 1

    def close(self) -> None:
        self._file.close()

    def discard(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


def staged_path(kind: str, name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / settings.IMPORT_BODY_DIR / "staged" / kind / f"{name}.tsv"


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


class ProgressReporter:
    """Writes a job's progress from a second database connection, so that it is
    visible while the import's own transaction is still open. At most a few
    writes a second. On SQLite (one writer at a time) progress is shown at the end."""

    def __init__(self, job_id: int, *, interval: float = 0.5) -> None:
        self.job_id = job_id
        self.interval = interval
        self._last = 0.0
        self._conn = None
        if connection.vendor == "postgresql":
            self._conn = connections.create_connection("default")

    def update(self, done: int, *, force: bool = False) -> None:
        if self._conn is None:
            return
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        with self._conn.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} SET progress_done = LEAST(%s, progress_total) WHERE id = %s",  # noqa: S608 - table name from the model
                [done, self.job_id],
            )

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def copy_staged_rows(
    *,
    table: str,
    columns: Sequence[str],
    path: Path,
    extra: dict[str, Any],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Load a staged file into ``table`` inside the current transaction.

    ``columns`` name the staged values in order (the row digest is the last one);
    ``extra`` adds constant columns (e.g. the job id) to every row.
    """
    all_columns = [*columns, *extra]
    if connection.vendor == "postgresql":
        return _copy_postgres(table, all_columns, path, extra, progress)
    return _insert_portable(table, all_columns, path, extra, progress)


def _copy_postgres(
    table: str, columns: list[str], path: Path, extra: dict[str, Any], progress: Callable[[int], None] | None
) -> int:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    suffix = "".join("\t" + _copy_text(v) for v in extra.values()).encode()
    rows = 0
    chunk_size = 4 * 1024 * 1024
    with connection.cursor() as cursor, open(path, "rb") as staged:
        raw_cursor = cursor.cursor  # psycopg 3 cursor under Django's wrapper
        with raw_cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
            remainder = b""
            while True:
                chunk = staged.read(chunk_size)
                if not chunk:
                    break
                chunk = remainder + chunk
                cut = chunk.rfind(b"\n") + 1
                remainder = chunk[cut:]
                lines = chunk[:cut]
                if suffix:
                    lines = lines.replace(b"\n", suffix + b"\n")
                copy.write(lines)
                rows += lines.count(b"\n")
                if progress is not None:
                    progress(rows)
            if remainder:
                copy.write(remainder + suffix + b"\n")
                rows += 1
    return rows


def _insert_portable(
    table: str, columns: list[str], path: Path, extra: dict[str, Any], progress: Callable[[int], None] | None
) -> int:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})"  # noqa: S608 - names from the model
    constants = list(extra.values())
    rows = 0
    batch: list[list[Any]] = []
    with connection.cursor() as cursor, open(path, encoding="utf-8", newline="\n") as staged:
        for line in staged:
            batch.append([_unescape(v) for v in line.rstrip("\n").split("\t")] + constants)
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                rows += len(batch)
                batch.clear()
                if progress is not None:
                    progress(rows)
        if batch:
            cursor.executemany(sql, batch)
            rows += len(batch)
    return rows


def remove_file(path: str | os.PathLike[str] | None) -> None:
    if path:
        Path(path).unlink(missing_ok=True)


# --- row validation and staging ------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """One field of an imported row: its wire name (and accepted aliases), the model
    column it lands in, the parser, and whether it must be present."""

    wire: str
    column: str
    parse: Callable[[object], Any]
    required: bool = True
    aliases: tuple[str, ...] = ()
    default: Any = None


@dataclass
class StagedFile:
    path: Path
    rows: int


# check_row(index, values, errors) -> values to stage before the field values, or
# None when the row is invalid (the check has added its errors).
RowCheck = Callable[[int, list[Any], ErrorCollector], "list[Any] | None"]


def stage_report(
    *,
    body: IO[bytes],
    kind: str,
    fields: Sequence[FieldSpec],
    check_row: RowCheck,
    finish: Callable[[ErrorCollector], None],
    invalid_message: Any,
    on_progress: Callable[[int], None] | None = None,
) -> StagedFile:
    """Validate a JSON-array report as a stream and stage its rows for COPY.

    Every row is checked (fields first, then ``check_row`` for rules across
    fields and rows); ``finish`` runs once at the end for rules over the whole
    report. Any error: ValidationFailed with the first 100 errors and the total,
    and nothing is staged. ``on_progress`` gets the body bytes read now and then.
    """
    errors = ErrorCollector()
    plan = [(spec.wire, spec.parse, spec.required, spec.aliases, spec.default) for spec in fields]
    writer = StagedRows(staged_path(kind, uuid.uuid4().hex))
    try:
        for index, row in enumerate(iter_json_array(body)):
            if on_progress is not None and index % 10000 == 0:
                on_progress(body.tell())
            if not isinstance(row, dict):
                errors.add(index, "", NOT_AN_OBJECT_ROW)
                continue
            values: list[Any] = []
            valid = True
            for wire, parse, required, aliases, default in plan:
                value = row.get(wire)
                if value is None and aliases:
                    value = next((row[a] for a in aliases if row.get(a) is not None), None)
                if value is None:
                    if required:
                        errors.add(index, wire, FIELD_REQUIRED)
                        valid = False
                    else:
                        values.append(default)
                    continue
                try:
                    values.append(parse(value))
                except FieldError as exc:
                    errors.add(index, wire, exc.message)
                    valid = False
            if not valid:
                continue
            prefix = check_row(index, values, errors)
            if prefix is not None and not errors:
                writer.write([*prefix, *values])
        finish(errors)
        errors.raise_if_any(invalid_message.format(count=errors.count))
    except BaseException:
        writer.discard()
        raise
    writer.close()
    return StagedFile(path=writer.path, rows=writer.rows)
