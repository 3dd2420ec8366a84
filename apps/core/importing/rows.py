"""Validating a report's rows: field specs, the row validator, bounded parsers.

The body is read a block at a time (``reading``). Each block is offered first
to the fast path (``blocks``: the whole block checked column by column at C
speed, written as COPY text at once); a block it does not take is checked here
row by row, field by field, by a tight loop of per-field parsers with the
garbage collector paused (the loop allocates millions of small objects that are
never cyclic). The row path is the reference: it names every error; the fast
path only ever takes blocks the row path would accept, staging the same text.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import IO, Any

from django.conf import settings
from django.core.signals import setting_changed
from django.db.models import Model
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from apps.core import json_guard
from apps.core.bounds import field_bounds
from apps.core.exceptions import ValidationFailed
from apps.core.importing.blocks import BlockPlan, ColumnCheck, NestedShape, copy_text, distinct_column, text_column
from apps.core.importing.reading import FastPath, iter_json_array
from apps.core.importing.staging import CopyTextBlock
from apps.core.message_text import Msg
from apps.core.parsing import EMPTY, NOT_A_STRING, NOT_AN_OBJECT, REQUIRED, FieldError, parse_date

MAX_REPORTED_ERRORS = 100
ALIAS_DISAGREES = _("{alias} is given too, with another value: send one of {wire} and {alias}.")


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
    column it lands in, the parser, and whether it must be present (else ``default``).

    ``check_column`` is the fast path's check of a whole column of the field
    (``apps.core.importing.blocks``; the parser's own ``column_check`` when not
    given), ``shape`` the shape of a nested field's values."""

    wire: str
    column: str
    parse: Callable[[object], Any]
    required: bool = True
    aliases: tuple[str, ...] = ()
    default: Any = None
    check_column: ColumnCheck | None = None
    shape: NestedShape | None = None


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
# check_block(index of the first row, the block's staged columns as COPY text) ->
# the columns to stage before them (COPY text), or None to send the block to the
# row path.
BlockCheck = Callable[[int, Sequence[Sequence[str]]], "list[list[str]] | None"]


@dataclass
class RowValidator:
    """Validates the rows of one report into staged column values.

    Every row is checked (its fields first, then ``check_row`` for rules across
    fields and rows); errors are collected (first 100, all counted) and no row is
    yielded once any error was found, so a staged table never holds a row of an
    invalid report."""

    fields: Sequence[FieldSpec]
    check_row: RowCheck
    # The fast path's rules across rows (Report.check_block); None: row path only.
    check_block: BlockCheck | None = None
    errors: ErrorCollector = field(default_factory=ErrorCollector)
    rows: int = 0
    # The fields' column checks (None: a field has none, or no check_block).
    plan: BlockPlan | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.check_block is not None:
            self.plan = BlockPlan.for_fields(self.fields)

    def iter_valid(self, body: IO[bytes], on_progress: Callable[[int], None] | None = None) -> Iterator[Any]:
        """The staged values of each valid row (a list), or of a whole block the fast
        path took (its CopyTextBlock)."""
        errors = self.errors
        check_row = self.check_row
        plan = [(spec.wire, spec.parse, spec.required, spec.aliases, spec.default) for spec in self.fields]
        fast = None
        if self.plan is not None:
            fast = FastPath(take=self._fast_block, decoder=self.plan.decoder, open=lambda: not errors)
        index = -1
        with gc_paused():
            for row in iter_json_array(body, fast):
                if type(row) is CopyTextBlock:
                    index += row.rows
                    self.rows += row.rows
                    if on_progress is not None:
                        on_progress(body.tell())
                    yield row
                    continue
                index += 1
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
                    if aliases:
                        # The wire name and its aliases (SAP's spelling, the corrected one)
                        # name one field: given both, they must agree (nothing silently dropped).
                        given = [a for a in aliases if row.get(a) is not None]
                        if value is None and given:
                            value = row[given[0]]
                        disagreeing = [a for a in given if row[a] != value]
                        if disagreeing:
                            errors.add(index, wire, Msg(ALIAS_DISAGREES, wire=wire, alias=disagreeing[0]))
                            valid = False
                            continue
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

    def _fast_block(self, first: int, rows: list[Any], piece: bytes) -> CopyTextBlock | None:
        """The block's COPY text when every column passes its check and the rules
        across rows hold (``check_block``); None sends it to the row path. Never
        offered a block once an error was found (``FastPath.open``)."""
        if self.plan is None or self.check_block is None:
            return None
        limits = json_guard.json_limits()
        if len(piece) > limits.max_string_length:  # a string in it might pass the guard's limit
            return None
        columns = self.plan.columns(rows, piece, limits.max_depth)
        if columns is None:
            return None
        prefix = self.check_block(first, columns)
        if prefix is None:
            return None
        return copy_text([*prefix, *columns])


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

    parse.column_check = text_column(max_length=max_length, required=required)  # type: ignore[attr-defined]
    return parse


OUTSIDE_DATE_WINDOW = _("Must be between {low} and {high} (the plausible dates of a report).")


def plausible_date(value: object) -> dt.date:
    """A date as ``parse_date`` reads it, within ``KDP_EARLIEST_DATE`` ..
    ``KDP_LATEST_DATE`` (settings): year 1 or 9999 is a placeholder or a typo,
    never an invoice or due date."""
    if type(value) is not str:
        return parse_date(value)  # raises the type's message
    return _plausible_date_text(value)


plausible_date.column_check = distinct_column(plausible_date, str)  # type: ignore[attr-defined]


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
