"""Reading a report's JSON array as a stream and validating its rows.

Speed without losing exactness: the body is read in blocks of about a
megabyte; each block is cut after its last whole row and decoded by msgspec in
one C call (numbers with a fraction as Decimal, never float), and the rows are
checked by a tight loop of per-field parsers with the garbage collector paused
(the loop allocates millions of small objects that are never cyclic). Memory
stays flat: one block at a time.

The JSON guard (``apps.core.json_guard``: depth, string length, lone
surrogates, duplicate keys) is the authority on what a body may be. A block
takes the fast path only when cheap checks prove the guard would accept it as
decoded: shorter than the longest string allowed, nested no deeper than
allowed, no lone surrogate (msgspec refuses them), and as many keys decoded as
the text has (a repeated key would be lost). Any other block, a malformed one
included, and the rest of the body after it, are read by the guard itself,
which names the row and the reason.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import IO, Any

import msgspec
from django.conf import settings
from django.core.signals import setting_changed
from django.db.models import Model
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError

from apps.core import json_guard
from apps.core.bounds import field_bounds
from apps.core.exceptions import ValidationFailed
from apps.core.message_text import Msg
from apps.core.parsing import EMPTY, NOT_A_STRING, NOT_AN_OBJECT, REQUIRED, FieldError, parse_date

MAX_REPORTED_ERRORS = 100
NOT_AN_ARRAY = _("The body must be a JSON array of objects.")
BLOCK_BYTES = 1 << 20


class ErrorCollector:
    """Keeps the first ``limit`` row errors and counts them all."""

    def __init__(self, limit: int = MAX_REPORTED_ERRORS) -> None:
        self.limit = limit
        self.errors: list[dict[str, Any]] = []
        self.count = 0

    def add(self, index: int, field: str, message: object) -> None:
        self.count += 1
        if len(self.errors) < self.limit:
            # The message object itself (a lazy message or a Msg with its parameters): the
            # API answer renders it in the caller's language, the job stores its code.
            self.errors.append({"index": index, "field": field, "message": message})

    def __bool__(self) -> bool:
        return self.count > 0

    def raise_if_any(self, message: object) -> None:
        if self.count:
            raise ValidationFailed(message, errors=self.errors, error_count=self.count)


@dataclass(frozen=True)
class FieldSpec:
    """One field of an imported row: its wire name (and accepted aliases), the model
    column it lands in, the parser, and whether it must be present (else ``default``)."""

    wire: str
    column: str
    parse: Callable[[object], Any]
    required: bool = True
    aliases: tuple[str, ...] = ()
    default: Any = None


# --- reading -------------------------------------------------------------------

_DECODER = msgspec.json.Decoder(float_hook=Decimal)
# Where one object of the array may end and the next begin. A match inside a
# string or a nested array is possible; the decode of the block then fails and an
# earlier cut is tried, so a successful decode always ends on a row boundary.
_ROW_GAP = re.compile(rb"\}[ \t\r\n]*,[ \t\r\n]*\{")
_WHITESPACE = b" \t\r\n"
_CUT_ATTEMPTS = 4


class _Rest:
    """A file-like object: ``head`` bytes, then the rest of ``file``."""

    def __init__(self, head: bytes, file: IO[bytes]) -> None:
        self.head = head
        self.file = file

    def read(self, size: int = -1) -> bytes:
        if self.head:
            if size < 0 or size >= len(self.head):
                chunk, self.head = self.head, b""
                return chunk + (self.file.read(size - len(chunk)) if size > len(chunk) else b"")
            chunk, self.head = self.head[:size], self.head[size:]
            return chunk
        return self.file.read(size)


# The end of a key: a quote not escaped, then a colon. Exact once a block holds no
# escaped backslash before a quote (checked); a string value opening with ":"
# overcounts, which only sends its block to the guard.
_KEY_END = re.compile(rb'(?<!\\)"[ \t\r\n]*:')
_ESCAPED_BACKSLASH_QUOTE = b"\\" * 2 + b'"'  # the three bytes \\"


def _guard_accepts(rows: list[Any], piece: bytes, limits: json_guard.JsonLimits) -> bool:
    """Whether the JSON guard would accept ``piece`` (rows of the top-level array)
    as msgspec decoded it: no string past the limit, no container nested deeper
    than allowed (the array is level 1), no key repeated (keys decoded == keys in
    the text). Lone surrogates never get here: msgspec refuses them."""
    if len(piece) > limits.max_string_length or _ESCAPED_BACKSLASH_QUOTE in piece:
        return False
    keys = 0
    max_depth = limits.max_depth
    stack: list[tuple[Any, int]] = [(row, 2) for row in rows if type(row) is dict or type(row) is list]
    while stack:
        container, level = stack.pop()
        if level > max_depth:
            return False
        if type(container) is dict:
            keys += len(container)
            children = container.values()
        else:
            children = container
        for child in children:
            if type(child) is dict or type(child) is list:
                stack.append((child, level + 1))
    return keys == len(_KEY_END.findall(piece))


def _guarded_rest(head: bytes, file: IO[bytes], first_index: int) -> Iterator[Any]:
    """The rest of the body, from ``head`` on, read by the JSON guard itself."""
    return json_guard.iter_array(_Rest(head, file), first_index=first_index)  # type: ignore[arg-type]  # file-like: read() only


def _brackets(text: bytes) -> tuple[int, int]:
    return text.count(b"{") - text.count(b"}"), text.count(b"[") - text.count(b"]")


def _last_row_boundary(buffer: bytes, position: int) -> tuple[list[Any], int] | None:
    """Decode the whole rows of ``buffer[position:]`` up to the last row boundary.
    Returns (rows, where the next row starts) or None when no cut decodes."""
    gaps = [match.start() + 1 for match in _ROW_GAP.finditer(buffer, position)]
    total_braces, total_brackets = _brackets(buffer[position:])
    decodes = 0
    for cut in reversed(gaps[-64:]):
        braces, brackets = _brackets(buffer[cut:])
        if braces != total_braces or brackets != total_brackets:
            continue  # the cut is inside a row (its nested list): cheaply skipped
        try:
            rows = _DECODER.decode(b"[" + buffer[position:cut] + b"]")
        except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):  # the guard names what is wrong
            decodes += 1
            if decodes >= _CUT_ATTEMPTS:
                return None
            continue
        if not isinstance(rows, list):  # pragma: no cover - "[...]" decodes to a list
            return None
        return rows, buffer.index(b"{", cut)
    return None


def iter_json_array(file: IO[bytes]) -> Iterator[Any]:
    """Yield the items of a top-level JSON array, streaming. Numbers with a fraction
    come as Decimal, integers as int. Malformed JSON raises ParseError (HTTP 400),
    hostile JSON the guard's JsonRejected (400 / 413); a body that is JSON but not
    an array raises ValidationFailed."""
    limits = json_guard.json_limits()
    file.seek(0)
    buffer = file.read(BLOCK_BYTES)
    if buffer.startswith(b"\xef\xbb\xbf"):
        buffer = buffer[3:]
    start = len(buffer) - len(buffer.lstrip(_WHITESPACE))
    if buffer[start : start + 1] != b"[":
        head = buffer[start : start + 1]
        if head in (b"{", b'"') or head.isdigit():
            raise ValidationFailed(NOT_AN_ARRAY, errors=[{"index": 0, "field": "", "message": str(NOT_AN_ARRAY)}])
        raise ParseError("the body is not a JSON array")
    position = start + 1
    exhausted = False
    index = 0
    while True:
        # ``buffer[position:]`` starts at an element (or the closing bracket), after a comma.
        if not exhausted and len(buffer) - position < BLOCK_BYTES:
            more = file.read(max(BLOCK_BYTES, len(buffer) - position))
            exhausted = not more
            buffer = buffer[position:] + more
            position = 0
        if exhausted:
            rest = buffer[position:]
            try:
                items = _DECODER.decode(b"[" + rest)
            except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):  # the guard names what is wrong
                items = None
            if not isinstance(items, list) or not _guard_accepts(items, rest, limits):
                yield from _guarded_rest(b"[" + rest, file, index)
                return
            yield from items
            return
        cut = _last_row_boundary(buffer, position)
        if cut is not None and not _guard_accepts(cut[0], buffer[position : cut[1]], limits):
            cut = None
            yield from _guarded_rest(b"[" + buffer[position:], file, index)
            return
        if cut is None:
            if _ROW_GAP.search(buffer, position) is None and len(buffer) - position <= limits.max_string_length:
                # One row longer than the buffer: read more before cutting.
                more = file.read(max(BLOCK_BYTES, len(buffer) - position))
                exhausted = not more
                buffer = buffer[position:] + more
                position = 0
                continue
            # Cuts that never decode, or a row that long: the guard reads (and judges) the rest.
            yield from _guarded_rest(b"[" + buffer[position:], file, index)
            return
        decoded, position = cut
        index += len(decoded)
        yield from decoded


# --- validating ------------------------------------------------------------------


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector around a hot loop that only makes acyclic
    objects (1.5-2x faster on a million rows); reference counting still frees them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# check_row(index, values, errors) -> values to stage before the field values, or
# None when the row is invalid (the check has added its errors).
RowCheck = Callable[[int, list[Any], ErrorCollector], "list[Any] | None"]


@dataclass
class RowValidator:
    """Validates the rows of one report into staged column values.

    Every row is checked (its fields first, then ``check_row`` for rules across
    fields and rows); errors are collected (first 100, all counted) and no row is
    yielded once any error was found, so a staged table never holds a row of an
    invalid report."""

    fields: Sequence[FieldSpec]
    check_row: RowCheck
    errors: ErrorCollector = field(default_factory=ErrorCollector)
    rows: int = 0

    def iter_valid(self, body: IO[bytes], on_progress: Callable[[int], None] | None = None) -> Iterator[list[Any]]:
        errors = self.errors
        check_row = self.check_row
        plan = [(spec.wire, spec.parse, spec.required, spec.aliases, spec.default) for spec in self.fields]
        with gc_paused():
            for index, row in enumerate(iter_json_array(body)):
                if on_progress is not None and index % 10000 == 0:
                    on_progress(body.tell())
                if type(row) is not dict:
                    errors.add(index, "", NOT_AN_OBJECT)
                    continue
                values: list[Any] = []
                valid = True
                get = row.get
                for wire, parse, required, aliases, default in plan:
                    value = get(wire)
                    if value is None:
                        if aliases:
                            value = next((row[a] for a in aliases if row.get(a) is not None), None)
                        if value is None:
                            if required:
                                errors.add(index, wire, REQUIRED)
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
                    self.rows += 1
                    yield [*prefix, *values] if prefix else values


# --- bounded field parsers ----------------------------------------------------------
# Every value is checked against what its column and every reader can hold
# (apps.core.bounds, read from the model field), on the hot path: a printable
# string within the length passes with two C calls; anything else gets the full
# check and its exact message.


def bounded_text(model: type[Model], column: str, *, required: bool = True) -> Callable[[object], str]:
    """A string (kept as sent) that fits ``model.column``: length, no NUL, control
    character, lone surrogate or non-character; non-blank when ``required``."""
    bounds = field_bounds(model, column)
    max_length = bounds.max_length or 0

    def parse(value: object) -> str:
        if type(value) is not str:
            raise FieldError(NOT_A_STRING)
        if not (value.isprintable() and len(value) <= max_length):
            bounds.check_text(value)
        if required and not value.strip():
            raise FieldError(EMPTY)
        return value

    return parse


OUTSIDE_DATE_WINDOW = _("Must be between {low} and {high} (the plausible dates of a report).")


def plausible_date(value: object) -> dt.date:
    """A date as ``parse_date`` reads it, within ``KDP_EARLIEST_DATE`` ..
    ``KDP_LATEST_DATE`` (settings): year 1 or 9999 is a placeholder or a typo,
    never an invoice or due date."""
    if type(value) is not str:
        return parse_date(value)  # raises the type's message
    return _plausible_date_text(value)


@lru_cache(maxsize=8192)
def _plausible_date_text(value: str) -> dt.date:
    # A year of reports holds a few hundred distinct dates: each is checked once.
    day = parse_date(value)
    low, high = dt.date.fromisoformat(settings.KDP_EARLIEST_DATE), dt.date.fromisoformat(settings.KDP_LATEST_DATE)
    if not low <= day <= high:
        raise FieldError(Msg(OUTSIDE_DATE_WINDOW, low=low.isoformat(), high=high.isoformat()))
    return day


@receiver(setting_changed)
def _forget_date_window(*, setting: str, **kwargs: Any) -> None:
    if setting in ("KDP_EARLIEST_DATE", "KDP_LATEST_DATE"):
        _plausible_date_text.cache_clear()
