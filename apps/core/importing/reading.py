"""Reading a report's JSON array as a stream, a block at a time.

The body is read in blocks of about a megabyte (at most half the longest
string allowed); each block is cut after its last whole row and decoded by
msgspec in one C call (numbers with a fraction as Decimal, never float).
Memory stays flat: one block at a time.

The JSON guard (``apps.core.json_guard``: depth, string length, lone
surrogates, duplicate keys) is the authority on what a body may be. A decoded
block is used only when cheap checks prove the guard would accept it: shorter
than the longest string allowed, nested no deeper than allowed, no lone
surrogate (msgspec refuses them), and as many keys decoded as the text has (a
repeated key would be lost). Any other block, a malformed one included, and
the rest of the body after it, are read by the guard itself, which names the
row and the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

import msgspec
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError

from apps.core import json_guard
from apps.core.exceptions import ValidationFailed
from apps.core.importing.blocks import keys_match, plain_text
from apps.core.importing.staging import CopyTextBlock

NOT_AN_ARRAY = _("The body must be a JSON array of objects.")
# Rows are decoded and checked 64 KiB at a time: a block's Python objects (about
# five times its bytes) then stay in the CPU's cache and in the interpreter's
# already mapped memory. Measured on 200k invoice rows (2 cores, PostgreSQL
# validator only): 13-16 µs a row with 32-128 KiB blocks against 31-34 µs with
# 1 MiB blocks, whose objects need fresh pages (page faults) every block.
BLOCK_BYTES = 1 << 16
MIN_BLOCK_BYTES = 1 << 12

_DECODER = msgspec.json.Decoder(float_hook=Decimal)
# Where one object of the array may end and the next begin. A match inside a
# string or a nested array is possible; the decode of the block then fails and an
# earlier cut is tried, so a successful decode always ends on a row boundary.
_ROW_GAP = re.compile(rb"\}[ \t\r\n]*,[ \t\r\n]*\{")
_WHITESPACE = b" \t\r\n"
_CUT_ATTEMPTS = 4
_CUT_CANDIDATES = 64
_TAIL_BYTES = 1 << 16
_NEAR_TAIL_BYTES = 1 << 12
_OPENING_BYTES = 256


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


def _guard_accepts(rows: list[Any], piece: bytes, limits: json_guard.JsonLimits) -> bool:
    """Whether the JSON guard would accept ``piece`` (rows of the top-level array)
    as msgspec decoded it: no string past the limit (the piece itself is no
    longer), no container nested deeper than allowed (the array is level 1), no
    key repeated (msgspec keeps the last of a repeated key, so the keys decoded
    then fall short of the keys in the text). Lone surrogates never get here:
    msgspec refuses them."""
    if len(piece) > limits.max_string_length:
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
    return keys_match(piece, keys)


def _guarded_rest(head: bytes, file: IO[bytes], first_index: int) -> Iterator[Any]:
    """The rest of the body, from ``head`` on, read by the JSON guard itself."""
    return json_guard.iter_array(_Rest(head, file), first_index=first_index)  # type: ignore[arg-type]  # file-like: read() only


def _brackets(text: bytes) -> tuple[int, int, int, int]:
    return text.count(b"{"), text.count(b"}"), text.count(b"["), text.count(b"]")


def _decode(text: bytes, decoder: msgspec.json.Decoder[Any] = _DECODER) -> list[Any] | None:
    """The items of the JSON array ``text``, or None when it is not one (the guard
    names what is wrong). A row the fast path's ``decoder`` does not take (a key
    missing or unknown, not an object) has the array read as objects."""
    try:
        items = decoder.decode(text)
    except msgspec.ValidationError:
        return None if decoder is _DECODER else _decode(text)
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
        return None
    return items if isinstance(items, list) else None


def _as_objects(items: list[Any], text: bytes) -> list[Any] | None:
    """``items`` (decoded from ``text``) as the row path reads them: dicts, not the
    fast path's Structs."""
    if items and isinstance(items[0], msgspec.Struct):
        return _decode(text)
    return items


def _decode_rows(
    buffer: bytes, position: int, cut: int, decoder: msgspec.json.Decoder[Any] = _DECODER
) -> list[Any] | None:
    """The rows of ``buffer[position:cut]``, or None when that is not whole rows: a
    cut inside a row, a string or a nested list does not decode, so a decode
    proves the cut."""
    return _decode(b"[" + buffer[position:cut] + b"]", decoder)


def _gaps(buffer: bytes, start: int) -> list[int]:
    return [match.start() + 1 for match in _ROW_GAP.finditer(buffer, start)]


def _last_row_boundary(
    buffer: bytes, position: int, decoder: msgspec.json.Decoder[Any] = _DECODER
) -> tuple[list[Any], int] | None:
    """Decode the whole rows of ``buffer[position:]`` up to the last row boundary.
    Returns (rows, where the next row starts) or None when no cut decodes."""
    # Rows of one report open alike (their first key): the last gap followed by the
    # first row's opening is tried first, without counting brackets; it is looked
    # for in the buffer's last few KiB, then in its last _TAIL_BYTES.
    opening = buffer[position : buffer.find(b":", position, position + _OPENING_BYTES) + 1]
    tried = False
    if len(opening) > 2:
        for tail in (_NEAR_TAIL_BYTES, _TAIL_BYTES):
            near = _gaps(buffer, max(position, len(buffer) - tail))
            for cut in reversed(near):
                start = buffer.index(b"{", cut)
                if buffer.startswith(opening, start):
                    rows = _decode_rows(buffer, position, cut, decoder)
                    if rows is not None:
                        return rows, start
                    tried = True
                    break
            if tried or len(buffer) - position <= tail:
                break
    # The last gaps only: searched for in the buffer's tail first.
    gaps: list[int] = []
    for start in (max(position, len(buffer) - _TAIL_BYTES), position):
        gaps = _gaps(buffer, start)
        if len(gaps) >= _CUT_CANDIDATES or start == position:
            break
    candidates = gaps[-_CUT_CANDIDATES:]
    if not candidates:
        return None
    last = candidates[-1]
    # Brackets up to the last candidate counted once; an earlier cut's by difference.
    counted = _brackets(buffer[position:last])
    decodes = 0
    for cut in reversed(candidates):
        if cut == last:
            counts = counted
        else:
            between = _brackets(buffer[cut:last])
            counts = (
                counted[0] - between[0],
                counted[1] - between[1],
                counted[2] - between[2],
                counted[3] - between[3],
            )
        if counts[0] != counts[1] or counts[2] != counts[3]:
            continue  # the cut is inside a row (its nested list): cheaply skipped
        rows = _decode_rows(buffer, position, cut, decoder)
        if rows is None:
            decodes += 1
            if decodes >= _CUT_ATTEMPTS:
                return None
            continue
        return rows, buffer.index(b"{", cut)
    return None


@dataclass(frozen=True)
class FastPath:
    """The fast path of a reading (``apps.core.importing.blocks``).

    ``take(index of the block's first row, its rows, their JSON text)`` returns
    the block's COPY text when the fast path took it, else None. ``decoder``
    reads the rows of a block offered to it (its own row type); ``open()`` says
    whether the next block may be taken at all (no error found yet). A block
    that is not plain text or arrives when the path is closed is decoded as
    objects at once: it would be given back anyway."""

    take: Callable[[int, list[Any], bytes], CopyTextBlock | None]
    decoder: msgspec.json.Decoder[Any]
    open: Callable[[], bool]


def iter_json_array(file: IO[bytes], fast: FastPath | None = None) -> Iterator[Any]:
    """Yield the items of a top-level JSON array, streaming. Numbers with a fraction
    come as Decimal, integers as int. Malformed JSON raises ParseError (HTTP 400),
    hostile JSON the guard's JsonRejected (400 / 413); a body that is JSON but not
    an array raises ValidationFailed. A decoded block that ``fast`` takes is
    yielded as its CopyTextBlock instead of its rows."""
    limits = json_guard.json_limits()
    # Blocks of at most half the longest string allowed: a piece of at most two
    # blocks then cannot hold a string past the limit.
    block = max(MIN_BLOCK_BYTES, min(BLOCK_BYTES, limits.max_string_length // 2))
    file.seek(0)
    buffer = file.read(block)
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
        if not exhausted and len(buffer) - position < block:
            more = file.read(max(block, len(buffer) - position))
            exhausted = not more
            buffer = buffer[position:] + more
            position = 0
        # The fast path is offered the next block only when it may take it.
        offered = fast if fast is not None and fast.open() and plain_text(buffer) else None
        decoder = offered.decoder if offered is not None else _DECODER
        if exhausted:
            rest = buffer[position:]
            items = _decode(b"[" + rest, decoder)
            if items is not None and offered is not None and (text := offered.take(index, items, rest)):
                yield text
                return
            if items is not None:
                items = _as_objects(items, b"[" + rest)
            if items is None or not _guard_accepts(items, rest, limits):
                yield from _guarded_rest(b"[" + rest, file, index)
                return
            yield from items
            return
        cut = _last_row_boundary(buffer, position, decoder)
        if cut is not None and offered is not None and (text := offered.take(index, cut[0], buffer[position : cut[1]])):
            index += text.rows
            position = cut[1]
            yield text
            continue
        if cut is not None:
            objects = _as_objects(cut[0], b"[" + buffer[position : cut[1]] + b"]")
            cut = None if objects is None else (objects, cut[1])
        if cut is not None and not _guard_accepts(cut[0], buffer[position : cut[1]], limits):
            cut = None
            yield from _guarded_rest(b"[" + buffer[position:], file, index)
            return
        if cut is None:
            if _ROW_GAP.search(buffer, position) is None and len(buffer) - position <= limits.max_string_length:
                # One row longer than the buffer: read more before cutting.
                more = file.read(max(block, len(buffer) - position))
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
