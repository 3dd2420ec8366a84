"""The one text encoding finhub reads request bodies in: UTF-8.

Every body parser (JSON on every prefix, XML on ``/v2``) decodes bytes as UTF-8.
A ``Content-Type`` that declares another charset (``application/json;
charset=latin-1``) would have its text read wrongly or refused later with a
misleading message, so it is a 415 at the door. No charset parameter means
UTF-8: RFC 8259 (JSON) has no other, and the KDP spec's
``application/json;charset=utf-8`` says so explicitly."""

from __future__ import annotations

from apps.core import messages
from apps.core.exceptions import UnsupportedMediaTypeError

UTF8_NAMES = frozenset({"utf-8", "utf8"})


def declared_charsets(content_type: str | None) -> list[str]:
    """Every ``charset`` parameter of a Content-Type header, lower-cased, unquoted
    (a header may repeat it: ``charset=latin-1;charset=utf-8``; or write it the
    RFC 2231 way, ``charset*=utf-8''latin-1``)."""
    _media_type, *params = (content_type or "").split(";")
    charsets = []
    for param in params:
        name, _, value = param.partition("=")
        name = name.strip().lower()
        if name == "charset*":  # RFC 2231: charset*=utf-8''latin-1 names latin-1
            value = value.rpartition("'")[2]
        if name in ("charset", "charset*"):
            charsets.append(value.strip().strip('"').strip().lower())
    return charsets


def require_utf8(content_type: str | None) -> None:
    """Raise UnsupportedMediaTypeError (415) when ``content_type`` declares a
    charset other than UTF-8 (any of them, when it declares several)."""
    for charset in declared_charsets(content_type):
        if charset not in UTF8_NAMES:
            raise UnsupportedMediaTypeError(messages.CHARSET_NOT_UTF8.format(charset=charset))
