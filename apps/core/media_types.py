"""The one text encoding finhub reads request bodies in: UTF-8.

Every body parser (JSON on every prefix, XML on ``/v2``) decodes bytes as UTF-8.
A ``Content-Type`` that declares another charset (``application/json;
charset=latin-1``) would have its text read wrongly or refused later with a
misleading message, so it is a 415 at the door. No charset parameter means
UTF-8: RFC 8259 (JSON) has no other, and the KDP spec's
``application/json;charset=utf-8`` says so explicitly."""

from __future__ import annotations

from django.utils.http import parse_header_parameters

from apps.core import messages
from apps.core.exceptions import UnsupportedMediaTypeError

UTF8_NAMES = frozenset({"utf-8", "utf8"})


def declared_charset(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header, lower-cased, or None."""
    _media_type, params = parse_header_parameters(content_type or "")
    charset = params.get("charset")
    return charset.strip().strip('"').lower() if charset is not None else None


def require_utf8(content_type: str | None) -> None:
    """Raise UnsupportedMediaTypeError (415) when ``content_type`` declares a
    charset other than UTF-8."""
    charset = declared_charset(content_type)
    if charset is not None and charset not in UTF8_NAMES:
        raise UnsupportedMediaTypeError(messages.CHARSET_NOT_UTF8.format(charset=charset))
