"""A streamed top-level array (the SAP imports), read element by element in linear
time: see the package's docstring."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import IO, Any

from rest_framework import exceptions as drf

from apps.core.json_guard.base import (
    CHUNK,
    DUPLICATE_KEY,
    ROW,
    JsonDuplicateKey,
    JsonLimits,
    _check_text_span,
    _decoder,
    _RepeatedKey,
    json_limits,
    string_too_long,
    too_deep,
)

# --- a streamed top-level array -------------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")
_STRUCTURE = re.compile(r'["\[\]{}]')
# What may follow a number cut at the end of the buffer ("3." + "25", "1e" + "5").
_NUMBER_TAIL = re.compile(r"[0-9.eE+\-]*[ \t\n\r]*")


class _TextReader:
    """UTF-8 text from a binary file, a piece at a time (strict: invalid UTF-8 is a ParseError)."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.eof = False
        self.offset = 0  # bytes read so far
        self.first = True

    def read(self, size: int) -> str:
        if self.eof:
            return ""
        chunk = self.file.read(size)
        self.offset += len(chunk)
        try:
            text = self.decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            at = self.offset - len(chunk) + exc.start
            raise drf.ParseError(f"the body is not valid UTF-8: {exc.reason} at byte {at}") from None
        if not chunk:
            self.eof = True
        if self.first and text:
            self.first = False
            if text.startswith("\ufeff"):
                text = text[1:]
        return text


def _row(index: int) -> str:
    """``row N`` in the caller's language: built only when an error names it (a
    translation per row would double the parse time of a SAP import)."""
    return str(ROW.format(index=index))


def _decoded_length_at_least(raw: str) -> int:
    """A lower bound of the decoded length of a string's raw body: each escape
    (at most six characters) decodes to at least one character."""
    return len(raw) - 5 * raw.count("\\")


def _ends_escaped(text: str, start: int, *, carried: bool = False) -> bool:
    """Whether the character after ``text`` is escaped by a trailing run of backslashes."""
    end = len(text)
    k = end
    while k > start and text[k - 1] == "\\":
        k -= 1
    run = end - k
    if k == start and carried:  # the whole text is backslashes after an escaping one
        run += 1
    return run % 2 == 1


def _closing_quote(text: str, escaped_first: bool) -> int:
    """Index of the first unescaped quote in ``text`` (a string's body read on), or -1."""
    i = 0
    while True:
        quote = text.find('"', i)
        if quote < 0:
            return -1
        k = quote
        while k > 0 and text[k - 1] == "\\":
            k -= 1
        run = quote - k + (1 if k == 0 and escaped_first else 0)
        if run % 2 == 0:
            return quote
        i = quote + 1


def _scan_pending(text: str, start: int, limits: JsonLimits, *, base_depth: int, where: str) -> None:
    """For an element still incomplete and already longer than the string limit:
    refuse it now if it holds a complete string over the limit or nests too deep,
    rather than reading the rest of it first. Linear in ``len(text) - start``."""
    depth = base_depth
    i = start
    while True:
        found = _STRUCTURE.search(text, i)
        if found is None:
            return
        char, i = found.group(), found.end()
        if char == '"':
            j = i
            while True:
                quote = text.find('"', j)
                if quote < 0:
                    return  # unterminated: the caller measures it
                k = quote - 1
                while text[k] == "\\":
                    k -= 1
                if (quote - 1 - k) % 2 == 0:
                    break
                j = quote + 1
            if (
                quote - i > limits.max_string_length
                and _decoded_length_at_least(text[i:quote]) > limits.max_string_length
            ):
                raise string_too_long(limits, where)
            i = quote + 1
        elif char in "[{":
            depth += 1
            if depth > limits.max_depth:
                raise too_deep(limits, where)
        else:
            depth -= 1


def iter_array(
    file: IO[bytes], *, limits: JsonLimits | None = None, chunk_size: int = CHUNK, first_index: int = 0
) -> Iterator[Any]:
    """Yield the elements of a top-level JSON array read from ``file``, streaming,
    each checked against the limits (paths are ``[index].field``). Memory holds one
    element at a time. Raises JsonRejected, or ParseError for malformed JSON
    (including a body that is not an array). ``first_index`` numbers the rows of
    an array whose first elements were read by someone else (the import
    pipeline's fast path hands over the rest of a body)."""
    limits = limits or json_limits()
    decoder = _decoder()
    reader = _TextReader(file)
    buf = reader.read(chunk_size)
    pos = 0

    def more(want: int) -> bool:
        """Append at least ``want`` more bytes of text, dropping what was consumed."""
        nonlocal buf, pos
        extra = reader.read(max(want, chunk_size))
        buf = buf[pos:] + extra
        pos = 0
        return bool(extra) or not reader.eof

    def read_to_closing_quote(start: int, index: int) -> None:
        """The element is cut inside the string opening at ``buf[start]``: read on
        (in doubling pieces, joined once) until its closing quote, refusing it as
        soon as it is longer than the limit. Each byte is searched once."""
        nonlocal buf, pos
        raw_length = len(buf) - start - 1
        backslashes = buf.count("\\", start + 1)
        escaped = _ends_escaped(buf, start + 1)
        pieces = [buf[pos:]]
        total = len(pieces[0])
        while True:
            if raw_length - 5 * backslashes > limits.max_string_length:
                raise string_too_long(limits, _row(index))
            piece = reader.read(max(chunk_size, total))
            if not piece:
                break
            pieces.append(piece)
            total += len(piece)
            closing = _closing_quote(piece, escaped)
            if closing >= 0:
                raw_length += closing
                backslashes += piece.count("\\", 0, closing)
                if raw_length - 5 * backslashes > limits.max_string_length:
                    raise string_too_long(limits, _row(index))
                break
            raw_length += len(piece)
            backslashes += piece.count("\\")
            escaped = _ends_escaped(piece, 0, carried=escaped)
        buf = "".join(pieces)
        pos = 0

    def skip_ws() -> str:
        """The next non-space character ('' at the end of the body)."""
        nonlocal pos
        while True:
            pos = _WS.match(buf, pos).end()  # type: ignore[union-attr] # always matches
            if pos < len(buf):
                return buf[pos]
            if reader.eof or not more(chunk_size):
                return ""

    if skip_ws() != "[":
        raise drf.ParseError("the body is not a JSON array")
    pos += 1
    index = first_index
    if skip_ws() == "]":
        pos += 1
    else:
        while True:
            while True:
                try:
                    value, end = decoder.raw_decode(buf, pos)
                except RecursionError:
                    raise too_deep(limits, _row(index)) from None
                except _RepeatedKey as exc:
                    where = _row(index)
                    raise JsonDuplicateKey(DUPLICATE_KEY.format(key=exc.key, where=where), where=where) from None
                except json.JSONDecodeError as exc:
                    if reader.eof:
                        raise drf.ParseError(f"{exc.msg} ({_row(index)})") from None
                    unterminated = exc.msg.startswith("Unterminated string")
                    if not unterminated and exc.pos < len(buf) - 64:
                        raise drf.ParseError(f"{exc.msg} ({_row(index)})") from None
                    pending = len(buf) - pos
                    if pending > limits.max_string_length:
                        _scan_pending(buf, pos, limits, base_depth=1, where=_row(index))
                    if unterminated:
                        read_to_closing_quote(exc.pos, index)
                    else:
                        more(pending)  # doubling: a long element costs O(its length) overall
                    continue
                except ValueError as exc:  # NaN / Infinity, an integer past 4300 digits
                    raise drf.ParseError(f"{exc} ({_row(index)})") from None
                if not reader.eof and _NUMBER_TAIL.fullmatch(buf, end):
                    more(len(buf) - pos)  # a number may go on in the next piece: decode it whole
                    continue
                break
            _check_text_span(value, buf, pos, end, limits, path=f"[{index}]", depth=1)
            pos = end
            yield value
            index += 1
            following = skip_ws()
            if following == ",":
                pos += 1
                if skip_ws() in ("", "]"):
                    raise drf.ParseError(f"Expecting value after ',' ({_row(index)})")
                continue
            if following == "]":
                pos += 1
                break
            raise drf.ParseError(f"Expecting ',' delimiter or ']' after {_row(index)}")
    if skip_ws() != "":
        raise drf.ParseError("Extra data after the array")
