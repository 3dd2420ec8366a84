"""The guard for XML bodies (KashFlow ``/v2`` accepts XML as well as JSON): the
same kind of limits as ``apps.core.json_guard``, checked while expat parses.

- a DOCTYPE -> 400: no DTD means no entity can be declared, so no entity
  expansion ("billion laughs") and no external entity is ever read;
- elements nested deeper than ``JSON_MAX_DEPTH`` -> 400 (the readers walk the
  tree recursively);
- the text of one element longer than ``JSON_MAX_STRING_LENGTH`` -> 413;
- what XML itself forbids (a character reference to a lone surrogate or to NUL,
  bytes that are not UTF-8, malformed markup) -> ``ParseError`` (400).

The standard library's expat parser is used with a tree builder that counts; the
one thing defusedxml would add (refusing DTDs) is the ``doctype`` hook below, and
depth and text length need this builder anyway.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions as drf

from apps.core.exceptions import ApplicationError, PayloadTooLarge
from apps.core.json_guard import JsonLimits, json_limits

DOCTYPE_REFUSED = _("The XML body has a DOCTYPE; DTDs and entity declarations are not accepted.")
TOO_DEEP = _("The XML body nests elements more than {limit} levels deep (at <{tag}>).")
TEXT_TOO_LONG = _("The text of <{tag}> in the XML body is longer than {limit} characters.")


class XmlRejected(ApplicationError):
    status_code = 400


class XmlTextTooLong(XmlRejected, PayloadTooLarge):
    status_code = 413


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _GuardedTreeBuilder(ET.TreeBuilder):
    def __init__(self, limits: JsonLimits) -> None:
        super().__init__()
        self.limits = limits
        self.depth = 0
        self.text_length = 0
        self.tag = ""

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise XmlRejected(DOCTYPE_REFUSED)

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        self.depth += 1
        if self.depth > self.limits.max_depth:
            raise XmlRejected(TOO_DEEP.format(limit=self.limits.max_depth, tag=_local(tag)))
        self.text_length = 0
        self.tag = tag
        return super().start(tag, attrs)

    def end(self, tag: str) -> ET.Element:
        self.depth -= 1
        self.text_length = 0
        return super().end(tag)

    def data(self, data: str) -> None:
        self.text_length += len(data)
        if self.text_length > self.limits.max_string_length:
            raise XmlTextTooLong(TEXT_TOO_LONG.format(tag=_local(self.tag), limit=self.limits.max_string_length))
        super().data(data)


def parse(body: bytes, *, limits: JsonLimits | None = None) -> Any:
    """The root element of ``body``, or XmlRejected / ParseError."""
    parser = ET.XMLParser(target=_GuardedTreeBuilder(limits or json_limits()))  # noqa: S314 - DOCTYPE refused above
    try:
        parser.feed(body)
        return parser.close()
    except ET.ParseError as exc:
        raise drf.ParseError(f"The body is not valid XML: {exc}") from None
