"""The fast path of an import: a whole block of rows checked column by column.

``rows.RowValidator`` checks a report row by row, field by field: exact, and
the reference for every rule, but a Python call per value (about 20 µs a row
of 23 fields). Most reports are plain: every row has exactly the documented
keys, every string is printable ASCII. For such a block (the ~64 KiB of rows
msgspec decoded in one call, each row a Struct of the fields: ``BlockPlan``)
this module checks each *column* with a few C calls (``map``, ``set``, ``max``
over a whole column, each distinct date or code parsed and written once),
turning it into its COPY text, and writes the block's COPY text at once.

The fast path only ever says "this block is valid, and here are exactly the
values the row path would stage": anything it is not sure of (a missing or
unknown key, a null, a mixed-type column, any value the row path would
refuse, a rule across rows not met) makes it give the block back to the row
path, which then names every error as before. So the two paths accept the
same reports and stage the same text (``tests/core/test_import_fast_path.py``
holds them to it).

Why a block that passes needs no per-string printability or JSON-guard walk:

- the text is ASCII with no backslash and no DEL byte. JSON forbids raw
  control characters inside strings (msgspec refuses them), so every string
  holds only the printable characters U+0020..U+007E, and none needs escaping
  in COPY text;
- every row has exactly the field keys, every value is a scalar (each column
  check refuses any other type) except the nested fields, whose shape is
  checked (e.g. a list of ``{"itemNo": str}``): the nesting depth is known;
- the colons in the text must number the keys decoded (or, failing that, the
  key ends counted exactly): a repeated key, which msgspec would keep once,
  sends the block to the row path and the JSON guard. msgspec drops nothing
  else, so no container (however deep) hides in the text: it could only be
  the value of a repeated key.
- the block is no longer than the longest string allowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, DefaultContext, Inexact
from itertools import chain, repeat
from operator import methodcaller
from typing import Annotated, Any

import msgspec
from msgspec.structs import astuple

from apps.core.importing.staging import CopyTextBlock, copy_text_value, md5
from apps.core.parsing import (
    _DECIMAL_TEXT,
    MONEY_INTEGER_DIGITS,
    FieldError,
    _on_sqlite,
    parse_currency,
    parse_fraction,
    parse_money,
)

# A column check: the values of one field in a block -> their COPY text, as
# ``staging.copy_line`` writes the values the row path stages, or None when the
# row path must look at the block. A check with a ``wire_type`` (a msgspec type)
# gets values the block's decoder read as that type, so it checks no type itself;
# one without gets the values as JSON has them (``Any``).
ColumnCheck = Callable[[Sequence[Any]], "Sequence[str] | None"]
# Shape of a nested field's values: (keys, deepest level below the row).
NestedShape = Callable[[Sequence[Any]], tuple[int, int]]

_hexdigest = methodcaller("hexdigest")


def plain_text(piece: bytes) -> bool:
    """ASCII, no escape, no DEL: every string in it is printable as it stands."""
    return piece.isascii() and b"\\" not in piece and b"\x7f" not in piece


# --- column checks -------------------------------------------------------------------


def text_column(*, max_length: int, required: bool) -> ColumnCheck:
    """Strings of at most ``max_length`` characters (printable: see the module
    docstring), non-blank when ``required``, as ``rows.bounded_text`` reads them;
    their own COPY text (printable ASCII without backslash: nothing to escape).
    Its ``wire_type`` has the decoder check the type and the length."""

    def check(values: Sequence[str]) -> Sequence[str] | None:
        # A blank string (spaces only, the text being printable ASCII) sorts before
        # every other: the column has one exactly when its least value is blank.
        if required and values and not min(values).strip():
            return None
        return values

    check.wire_type = Annotated[str, msgspec.Meta(max_length=max_length)]  # type: ignore[attr-defined]
    return check


# Distinct values one report's column check remembers (dates of a few years, codes).
MEMO_LIMIT = 1 << 16


def distinct_column(parse: Callable[[object], Any], kind: type, *, memo: dict[Any, str] | None = None) -> ColumnCheck:
    """Values of one type (``kind``, the decoder's ``wire_type``: str or int, never
    bool), each distinct value parsed and written once (dates, codes, choices).
    With ``memo`` (a check of one report's: ``fresh()``, which ``BlockPlan``
    calls), a value seen in an earlier block is not parsed again: a year's blocks
    share a few hundred dates."""

    def check(values: Sequence[Any]) -> Sequence[str] | None:
        written = {} if memo is None else memo
        if len(written) > MEMO_LIMIT:
            written.clear()
        try:
            for value in set(values).difference(written):
                written[value] = copy_text_value(parse(value))
        except FieldError:
            return None
        return list(map(written.__getitem__, values))

    check.wire_type = kind  # type: ignore[attr-defined]
    check.fresh = lambda: distinct_column(parse, kind, memo={})  # type: ignore[attr-defined]
    return check


# Quantizing in this context raises Inexact where rounding would drop a non-zero
# digit: exactly where the row path finds ``quantized != value`` (too many places).
_EXACT = DefaultContext.copy()
_EXACT.traps[Inexact] = True


def money_column(
    *, places: int, allow_string: bool = False, low: Decimal | None = None, below: Decimal | None = None
) -> ColumnCheck:
    """Amounts as ``apps.core.parsing.parse_money`` reads them: JSON numbers (or,
    with ``allow_string``, a column of numeric strings), at most ``places``
    decimal places and MONEY_INTEGER_DIGITS digits before the point, staged at
    exactly ``places`` places; optionally ``low <= x < below``."""
    quantum = Decimal(1).scaleb(-places)
    zero = str(Decimal(0).quantize(quantum))
    negative_zero = f"-{zero}"

    def numbers(values: Sequence[Any]) -> Sequence[Decimal] | None:
        kinds = set(map(type, values))
        if kinds <= {Decimal, int}:
            return list(map(Decimal, values))
        if allow_string and kinds == {str}:
            stripped = list(map(str.strip, values))
            if not all(map(_DECIMAL_TEXT.fullmatch, stripped)):
                return None
            return list(map(Decimal, stripped))
        if allow_string and kinds <= {str, Decimal, int}:  # numbers and numeric strings mixed: rare
            try:
                return [parse_money(value, allow_string=True, places=places) for value in values]
            except FieldError:
                return None
        return None

    def exact(numbers: Sequence[Decimal]) -> list[Decimal] | None:
        """At exactly ``places`` places, or None for more places than allowed
        (Inexact) or too many digits: the row path names them."""
        try:
            return list(map(Decimal.quantize, numbers, repeat(quantum), repeat(None), repeat(_EXACT)))
        except ArithmeticError:
            return None

    def check(values: Sequence[Any]) -> Sequence[str] | None:
        if _on_sqlite():  # the 15-significant-digit rule of SQLite: the row path
            return None
        try:  # JSON numbers with a fraction (Decimal), the common case: no pass over their types
            quantized = exact(values)
        except TypeError:  # a value that is not a Decimal (bool included)
            converted = numbers(values)
            quantized = None if converted is None else exact(converted)
        if quantized is None:
            return None
        if quantized and max(map(Decimal.adjusted, quantized)) >= MONEY_INTEGER_DIGITS:
            return None
        if low is not None and quantized and min(quantized) < low:
            return None
        if below is not None and quantized and max(quantized) >= below:
            return None
        texts = list(map(str, quantized))
        if negative_zero in texts:  # -0.0 is the amount 0, as parse_money writes it
            texts = [zero if text == negative_zero else text for text in texts]
        return texts

    return check


# --- copy text ---------------------------------------------------------------------


def json_texts(values: Sequence[Any]) -> Sequence[str]:
    """COPY text of a column of JSON values (lists, objects) whose strings are
    printable ASCII without backslash or quote (a plain block's): msgspec writes
    the same text as ``copy_text_value``'s json.dumps(..., separators=(",", ":")),
    and it needs no escape."""
    return list(map(bytes.decode, map(msgspec.json.encode, values)))


def copy_text(columns: Sequence[Sequence[str]]) -> CopyTextBlock:
    """The block's COPY text: its columns (each value's COPY text) tab-separated,
    each line ending with the MD5 of the rest of it, as ``staging.copy_line``
    writes a row."""
    lines = list(map("\t".join, zip(*columns, strict=True)))
    digests = map(_hexdigest, map(md5, map(str.encode, lines)))
    text = "".join(chain.from_iterable(zip(lines, repeat("\t"), digests, repeat("\n"))))
    return CopyTextBlock(text=text, rows=len(lines))


# --- the block -----------------------------------------------------------------------


def column_check_for(parse: Callable[[object], Any]) -> ColumnCheck | None:
    """The column check of a parser: its own ``column_check`` (bounded_text,
    plausible_date), a money parser's from its places, or a library parser's."""
    check = getattr(parse, "column_check", None)
    if check is not None:
        return check  # type: ignore[no-any-return]
    if hasattr(parse, "money_places"):
        return money_column(places=parse.money_places, allow_string=parse.money_allow_string)  # type: ignore[attr-defined]
    if parse is parse_currency:
        return _CURRENCY
    if parse is parse_fraction:
        return _FRACTION
    return None


_CURRENCY = distinct_column(parse_currency, str)
_FRACTION = money_column(places=6, low=Decimal(0), below=Decimal(1))


@dataclass(frozen=True)
class _Field:
    wire: str
    check: ColumnCheck
    required: bool
    default: Any


def _with_nulls(field: _Field, values: Sequence[Any]) -> Sequence[str] | None:
    """An optional field's column holding nulls: the other values checked, the
    nulls staged as the field's default (as the row path does)."""
    present = [value for value in values if value is not None]
    if len(present) == len(values):
        return None
    staged = field.check(present) if present else []
    if staged is None:
        return None
    given = iter(staged)
    default = copy_text_value(field.default)
    return [default if value is None else next(given) for value in values]


@dataclass
class BlockPlan:
    """What the fast path needs of an importer's fields: their wire names in
    staged order, a column check each and the shape of the nested ones, and the
    decoder of a block's rows (``decoder``).

    The decoder reads each row into a msgspec Struct of one field per wire
    name: cheaper than a dict (no hash table; about 3.2 against 4.1 µs a row of
    23 fields). A field is of its check's ``wire_type`` (null allowed when the
    field is optional), else ``Any`` (values as JSON has them, numbers with a
    fraction as Decimal): msgspec checks types and lengths in C as it decodes.
    A row with a key missing or unknown, not an object, or a value not of its
    field's type raises msgspec.ValidationError, so every Struct row has exactly
    the field keys and typed values; the reader then decodes the block into
    dicts for the row path, which names what is wrong."""

    fields: tuple[_Field, ...]
    nested: tuple[tuple[int, NestedShape], ...]  # (position, shape)
    row_type: type[msgspec.Struct]
    decoder: msgspec.json.Decoder[list[Any]]

    @classmethod
    def for_fields(cls, specs: Sequence[Any]) -> BlockPlan | None:
        """The plan of ``specs`` (FieldSpecs), or None when a field has no column
        check (the importer then always takes the row path)."""
        fields = []
        for spec in specs:
            check = spec.check_column or column_check_for(spec.parse)
            if check is None:
                return None
            if hasattr(check, "fresh"):  # a check that remembers what it saw: its own for this plan
                check = check.fresh()
            fields.append(_Field(wire=spec.wire, check=check, required=spec.required, default=spec.default))
        nested = tuple((i, spec.shape) for i, spec in enumerate(specs) if spec.shape is not None)
        # Attributes f0, f1, ... named on the wire by the fields' wire names, in staged order;
        # not tracked by the garbage collector (values decoded from JSON hold no cycle).
        row_type = msgspec.defstruct(
            "Row",
            [(f"f{i}", _wire_type(field)) for i, field in enumerate(fields)],
            rename={f"f{i}": field.wire for i, field in enumerate(fields)},
            forbid_unknown_fields=True,
            gc=False,
        )
        decoder = msgspec.json.Decoder(list[row_type], float_hook=Decimal)  # type: ignore[valid-type]
        return cls(fields=tuple(fields), nested=nested, row_type=row_type, decoder=decoder)

    def columns(self, rows: list[Any], piece: bytes, max_depth: int) -> list[Sequence[str]] | None:
        """The COPY text of ``rows`` (as ``decoder`` read them) column by column
        (``piece``: their JSON text), or None when the row path must check them."""
        if not rows or not plain_text(piece) or set(map(type, rows)) != {self.row_type}:
            return None
        width = len(self.fields)
        raw = list(zip(*map(astuple, rows), strict=True))
        keys, depth = len(rows) * width, 0
        for position, shape in self.nested:
            try:
                nested_keys, nested_depth = shape(raw[position])
            except (TypeError, KeyError, ValueError):
                return None
            keys += nested_keys
            depth = max(depth, nested_depth)
        if 2 + depth > max_depth:
            return None
        if not keys_match(piece, keys):
            return None
        columns = []
        for field, values in zip(self.fields, raw, strict=True):
            # A check never gets nulls: an optional field's are staged as its default.
            nulls = not field.required and None in values
            staged = _with_nulls(field, values) if nulls else field.check(values)
            if staged is None:
                return None
            columns.append(staged)
        return columns


def _wire_type(field: _Field) -> Any:
    """The type a block's decoder reads the field's values as."""
    wire_type = getattr(field.check, "wire_type", Any)
    return wire_type if field.required or wire_type is Any else wire_type | None


# Every key of a JSON object ends with a quote, optional whitespace and a colon.
_KEY_END = re.compile(rb'"[ \t\r\n]*:')


def key_ends(piece: bytes) -> int:
    """How many keys ``piece`` holds, or more (a string value holding a quote and a
    colon counts too): never fewer. A colon byte follows every key, so when the
    colons number the keys decoded, that is the count (one C call)."""
    return len(_KEY_END.findall(piece))


def keys_match(piece: bytes, keys: int) -> bool:
    """Whether ``piece`` holds exactly ``keys`` keys, given that it holds at least
    that many (those decoded): False when it may hold more (a repeated key that
    the decoder kept once)."""
    colons = piece.count(b":")
    return colons == keys or (colons > keys and key_ends(piece) == keys)


def list_of_structs_shape(item: type[msgspec.Struct]) -> NestedShape:
    """Shape of a column of lists of ``item`` Structs (the field's wire type is
    ``list[item]``: the decoder read every object with exactly its keys): their
    keys, depth 2 (the list, its objects)."""
    width = len(item.__struct_fields__)

    def shape(values: Sequence[Any]) -> tuple[int, int]:
        return sum(map(len, values)) * width, 2

    return shape
