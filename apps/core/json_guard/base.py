"""Limits, errors and the checks on a whole (non-streamed) body: see the package's docstring."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions as drf

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


MAX_INTEGER_DIGITS = 4300  # Python's own limit on int(str); no finhub field comes near it


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise ValueError(f"a JSON integer of {len(text.lstrip('-'))} digits is longer than any field holds")
    return int(text)


def _decoder() -> json.JSONDecoder:
    return json.JSONDecoder(
        parse_float=Decimal, parse_int=_integer, parse_constant=_reject_constant, object_pairs_hook=_object
    )


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
