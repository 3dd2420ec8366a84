"""The guard every JSON body goes through: depth, string length, lone surrogates,
duplicate keys, in linear time.

Every JSON door of finhub (the KDP token and import endpoints, Xunlian, the
KashFlow ``/v2`` JSON parser, DRF's parser) loads its body here, so that hostile
JSON is refused at the door with a clear error in the endpoint's envelope and
never becomes a 500 (a RecursionError), a silent change (a duplicate key whose
last value wins, a ``\\ud800`` stored as ``?``) or a stalled worker.

Rules (settings, see README):

- ``JSON_MAX_DEPTH`` (64): arrays and objects nested deeper -> 400 ``JsonTooDeep``.
- ``JSON_MAX_STRING_LENGTH`` (1 MiB of characters): a longer string or key ->
  413 ``JsonStringTooLong``. In a streamed body it is refused as soon as the
  unterminated string is longer than the limit, before the rest is read.
- a ``\\uD800``..``\\uDFFF`` escape that is not half of a pair -> 400
  ``JsonLoneSurrogate`` (it is not text: no database or file holds it).
- a key repeated in one object -> 400 ``JsonDuplicateKey`` (RFC 8259 leaves the
  meaning open; a finance body must not be read two ways).
- NaN, Infinity, text that is not UTF-8, integers past Python's 4300 digits,
  trailing data -> ``rest_framework.exceptions.ParseError`` (400 malformed JSON),
  as before. Fractions are ``Decimal``, never float.

The errors are ``ApplicationError``s with a status (400 or 413), so the KDP and
Xunlian envelopes render them as they are; ``JsonStringTooLong`` is also a
``PayloadTooLarge``. ``GuardedJSONParser`` turns them into DRF exceptions.

Why not ijson (yajl) for the streamed SAP imports, as before: yajl's lexer keeps a
token that spans two reads in a buffer and re-reads that buffer from its start
on every later read, so one string of n bytes read in 64 KiB pieces costs
O(n^2 / 64 KiB): 1.4 / 5.4 / 21.8 / 83 s for 25 / 50 / 100 / 200 MB. Here each
array element is decoded by the standard library's C scanner (``raw_decode``)
from a buffer that grows by doubling while the element is incomplete, so a long
element is scanned O(log n) times over geometrically growing lengths: linear.
Measured by ``bench/json_guard.py``.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions as drf
from rest_framework.parsers import BaseParser

from apps.core.exceptions import ApplicationError, PayloadTooLarge

CHUNK = 1024 * 1024  # bytes read at a time from a streamed body

TOO_DEEP = _("The JSON body is nested more than {limit} levels deep (at {where}).")
STRING_TOO_LONG = _("A string in the JSON body is longer than {limit} characters (at {where}).")
LONE_SURROGATE = _("The JSON body has a lone surrogate escape (\\ud800 to \\udfff), which is not text (at {where}).")
DUPLICATE_KEY = _('The JSON body repeats the key "{key}" in one object (at {where}).')
TOP_LEVEL = _("the top level")
ROW = _("row {index}")


class JsonRejected(ApplicationError):
    """A JSON body refused by the guard (400). ``where`` is the path (``itemList[0].unit``,
    ``[3].orderId``) or the row of a streamed array."""

    status_code = 400

    def __init__(self, message: Any, *, where: str = "") -> None:
        super().__init__(message)
        self.where = where


class JsonTooDeep(JsonRejected):
    pass


class JsonLoneSurrogate(JsonRejected):
    pass


class JsonDuplicateKey(JsonRejected):
    pass


class JsonStringTooLong(JsonRejected, PayloadTooLarge):
    status_code = 413


@dataclass(frozen=True)
class JsonLimits:
    max_depth: int
    max_string_length: int


def json_limits() -> JsonLimits:
    """The limits in force (read at call time, so a settings override applies)."""
    return JsonLimits(max_depth=settings.JSON_MAX_DEPTH, max_string_length=settings.JSON_MAX_STRING_LENGTH)


# --- errors ----------------------------------------------------------------------


def _where(path: str) -> str:
    if len(path) > 100:  # [0][0][0]... of a deep body: the end says enough
        return "…" + path[-100:]
    return path or str(TOP_LEVEL)


def too_deep(limits: JsonLimits, path: str) -> JsonTooDeep:
    where = _where(path)
    return JsonTooDeep(TOO_DEEP.format(limit=limits.max_depth, where=where), where=where)


def string_too_long(limits: JsonLimits, path: str) -> JsonStringTooLong:
    where = _where(path)
    return JsonStringTooLong(STRING_TOO_LONG.format(limit=limits.max_string_length, where=where), where=where)


def lone_surrogate(path: str) -> JsonLoneSurrogate:
    where = _where(path)
    return JsonLoneSurrogate(LONE_SURROGATE.format(where=where), where=where)


class _RepeatedKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """object_pairs_hook: a dict, or _RepeatedKey when a key repeats."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _RepeatedKey(key)
            seen.add(key)
    return obj


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _decoder() -> json.JSONDecoder:
    return json.JSONDecoder(parse_float=Decimal, parse_constant=_reject_constant, object_pairs_hook=_object)


# --- checks on decoded values -------------------------------------------------------

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")  # after decoding, pairs are joined: any left is lone


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def check_value(value: Any, limits: JsonLimits, *, path: str = "", depth: int = 0, surrogates: bool = True) -> None:
    """Walk a decoded value (iteratively: no recursion limit) and raise the first
    violation with its path. ``depth`` is the nesting of ``value``'s container."""
    stack: list[tuple[Any, str, int]] = [(value, path, depth)]
    while stack:
        item, where, level = stack.pop()
        if isinstance(item, str):
            if len(item) > limits.max_string_length:
                raise string_too_long(limits, where)
            if surrogates and _SURROGATE.search(item):
                raise lone_surrogate(where)
        elif isinstance(item, dict):
            if level + 1 > limits.max_depth:
                raise too_deep(limits, where)
            for key, child in item.items():
                child_path = _join(where, key)
                if len(key) > limits.max_string_length:
                    raise string_too_long(limits, child_path)
                if surrogates and _SURROGATE.search(key):
                    raise lone_surrogate(child_path)
                stack.append((child, child_path, level + 1))
        elif isinstance(item, list):
            if level + 1 > limits.max_depth:
                raise too_deep(limits, where)
            stack.extend((child, _join(where, i), level + 1) for i, child in enumerate(item))


def _check_text_span(
    value: Any, text: str, start: int, end: int, limits: JsonLimits, *, path: str = "", depth: int = 0
) -> None:
    """Check ``value`` decoded from ``text[start:end]``; walk it only when a cheap
    count over the text says a limit might be reached (the common row needs none)."""
    surrogates = text.find("\\u", start, end) >= 0 and _SURROGATE_ESCAPE.search(text, start, end) is not None
    if (
        surrogates
        or end - start > limits.max_string_length  # a long element: walk it rather than count over it
        or depth + text.count("[", start, end) + text.count("{", start, end) > limits.max_depth
    ):
        check_value(value, limits, path=path, depth=depth, surrogates=surrogates)


# --- a whole body -------------------------------------------------------------------


def _decode_utf8(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise drf.ParseError(f"the body is not valid UTF-8: {exc.reason} at byte {exc.start}") from None
    return text[1:] if text.startswith("\ufeff") else text


def loads(data: bytes | str, *, limits: JsonLimits | None = None) -> Any:
    """A whole (small) body: the decoded value, or JsonRejected / ParseError."""
    limits = limits or json_limits()
    text = _decode_utf8(data) if isinstance(data, bytes) else data
    try:
        value = _decoder().decode(text)
    except RecursionError:
        raise too_deep(limits, "") from None
    except _RepeatedKey as exc:
        raise JsonDuplicateKey(DUPLICATE_KEY.format(key=exc.key, where=_where("")), where="") from None
    except ValueError as exc:  # JSONDecodeError, NaN / Infinity, an integer past 4300 digits
        raise drf.ParseError(str(exc)) from None
    _check_text_span(value, text, 0, len(text), limits)
    return value


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


# --- DRF --------------------------------------------------------------------------------


class GuardedJSONParser(BaseParser):
    """DRF's JSON parser for every other DRF view: the same guard, DRF's errors
    (400 ParseError, 413), a body no larger than DATA_UPLOAD_MAX_MEMORY_SIZE."""

    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise RequestTooLarge(str(_("The body is larger than the limit of {limit} bytes.").format(limit=limit)))
        try:
            return loads(data)
        except JsonStringTooLong as exc:
            raise RequestTooLarge(str(exc.message)) from None
        except JsonRejected as exc:
            raise drf.ParseError(str(exc.message)) from None


class RequestTooLarge(drf.APIException):
    status_code = 413
    default_detail = _("The body is too large.")
    default_code = "too_large"
