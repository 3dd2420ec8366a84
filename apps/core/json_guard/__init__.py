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

from apps.core.json_guard.base import (
    JsonDuplicateKey,
    JsonLimits,
    JsonLoneSurrogate,
    JsonRejected,
    JsonStringTooLong,
    JsonTooDeep,
    check_value,
    json_limits,
    loads,
)
from apps.core.json_guard.drf import GuardedJSONParser, RequestTooLarge
from apps.core.json_guard.stream import iter_array

__all__ = [
    "GuardedJSONParser",
    "JsonDuplicateKey",
    "JsonLimits",
    "JsonLoneSurrogate",
    "JsonRejected",
    "JsonStringTooLong",
    "JsonTooDeep",
    "RequestTooLarge",
    "check_value",
    "iter_array",
    "json_limits",
    "loads",
]
