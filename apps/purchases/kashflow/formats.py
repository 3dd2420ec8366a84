"""JSON and XML bodies of the KashFlow API, in both directions, with the same
element names as the JSON keys.

JSON: numbers with a fraction are read as Decimal and Decimals are written as
JSON numbers digit for digit (never through float).

XML: written by hand rather than with a generic library, because the element
names must be KashFlow's: an object is an element per key, a list is an element
per item named after the list (``LineItems`` -> ``LineItem``; ``Data`` ->
``Supplier`` under ``SupplierList``, ``Purchase`` under ``PurchaseList``...), null is an empty element with ``i:nil="true"``. Reading
accepts the same shape (namespaces ignored); values stay text and the
serializers convert them, so ``<Quantity>3</Quantity>`` and ``"Quantity": 3``
mean the same. Bodies go through apps.core.xml_guard: a DOCTYPE is refused (no
entity expansion, no external entities), and so are nesting and text past the
JSON guard's limits; an element repeated where one is expected is refused too
(it would otherwise be read as the last one, like a repeated JSON key).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

import orjson
from django.conf import settings
from rest_framework import exceptions as drf
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer

from apps.core import json_guard, xml_guard
from apps.core.exceptions import PayloadTooLarge
from apps.core.media_types import require_utf8

# Items of these lists are written as elements of these names.
LIST_ITEM_NAMES = {
    "Data": "Purchase",
    "LineItems": "LineItem",
    "PaymentLines": "PaymentLine",
    "MemorableWordList": "MemorableWord",
    "Results": "Result",
    "Contacts": "Contact",
    "WithholdingTaxReferences": "WithholdingTaxReference",
}
XSI = "http://www.w3.org/2001/XMLSchema-instance"


# --- JSON -------------------------------------------------------------------------


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Written digit for digit as a JSON number, never through float.
        return orjson.Fragment(format(value, "f") if value.is_finite() else "null")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> str:
    return dumps_bytes(value).decode()


def dumps_bytes(value: Any) -> bytes:
    return orjson.dumps(value, default=_default, option=orjson.OPT_PASSTHROUGH_DATETIME)


def loads(text: str | bytes) -> Any:
    """Through the JSON guard (apps.core.json_guard): Decimal fractions, no NaN,
    bounded depth and strings, no lone surrogates or repeated keys."""
    try:
        return json_guard.loads(text)
    except json_guard.JsonStringTooLong as exc:
        raise PayloadTooLarge(exc.message) from None
    except json_guard.JsonRejected as exc:
        raise drf.ParseError(f"The body is not valid JSON: {exc.message}") from None


class KashflowJSONRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        return dumps_bytes(data)


# --- XML --------------------------------------------------------------------------


def _xml_text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _xml_fill(element: ET.Element, value: Any, names: dict[str, str]) -> None:
    if value is None:
        element.set("i:nil", "true")
    elif isinstance(value, dict):
        for key, item in value.items():
            _xml_fill(ET.SubElement(element, str(key)), item, names)
    elif isinstance(value, list | tuple):
        item_name = names.get(element.tag, "Item")
        for item in value:
            _xml_fill(ET.SubElement(element, item_name), item, names)
    else:
        element.text = _xml_text(value)


def list_item_names(root: str) -> dict[str, str]:
    """The item names under ``root``: a page of a reference list (``SupplierList``,
    ``ProjectList``...) names each of its ``Data`` items after the list
    (``Supplier``, ``Project``...), as the single GET of one does."""
    if root.endswith("List") and len(root) > len("List"):
        return {**LIST_ITEM_NAMES, "Data": root.removesuffix("List")}
    return LIST_ITEM_NAMES


def render_xml(data: Any, root: str = "Response", item: str = "Item") -> bytes:
    element = ET.Element(root)
    element.set("xmlns:i", XSI)
    names = list_item_names(root)
    if isinstance(data, list | tuple):
        for value in data:
            _xml_fill(ET.SubElement(element, item), value, names)
    else:
        _xml_fill(element, data, names)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="unicode").encode()


class KashflowXMLRenderer(BaseRenderer):
    media_type = "application/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        context = renderer_context or {}
        view = context.get("view")
        response = context.get("response")
        if response is not None and response.status_code >= 400:
            root, item = "Error", "Item"
        else:
            root = getattr(view, "xml_root", "Response")
            item = getattr(view, "xml_item", "Item")
        return render_xml(data, root, item)


class KashflowTextXMLRenderer(KashflowXMLRenderer):
    media_type = "text/xml"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _is_nil(element: ET.Element) -> bool:
    return any(_local(k) == "nil" and v.lower() == "true" for k, v in element.attrib.items())


def _xml_value(element: ET.Element) -> Any:
    tag = _local(element.tag)
    children = list(element)
    if _is_nil(element):
        return None
    if tag in LIST_ITEM_NAMES:
        return [_xml_value(child) for child in children]
    if children:
        return _xml_object(children)
    text = (element.text or "").strip()
    return text if text else None


def _xml_object(children: list[ET.Element]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for child in children:
        name = _local(child.tag)
        if name in values:
            raise drf.ParseError(f"The body is not valid XML: <{name}> appears more than once in one element")
        values[name] = _xml_value(child)
    return values


def parse_xml(body: bytes, *, as_list: bool = False) -> Any:
    try:
        root = xml_guard.parse(body)
    except xml_guard.XmlTextTooLong as exc:
        raise PayloadTooLarge(exc.message) from None
    except xml_guard.XmlRejected as exc:
        raise drf.ParseError(f"The body is not valid XML: {exc.message}") from None
    if as_list:
        if not list(root) and (root.text or "").strip():
            raise drf.ParseError("Expected a list of elements under the root element")
        return [_xml_value(child) for child in root]
    if not list(root) and not _is_nil(root):
        return {}
    return _xml_object(list(root))


# --- parsers ----------------------------------------------------------------------


def read_body(stream: Any, parser_context: dict[str, Any] | None) -> bytes:
    """Read the body once, refusing more than KASHFLOW_MAX_BODY_BYTES; keep the
    bytes on the request (the idempotency digest needs them)."""
    context = parser_context or {}
    request = context.get("request")
    limit = settings.KASHFLOW_MAX_BODY_BYTES
    if request is not None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            raise PayloadTooLarge(f"The body is larger than the limit of {limit} bytes.")
    body = stream.read(limit + 1) if stream is not None else b""
    if len(body) > limit:
        raise PayloadTooLarge(f"The body is larger than the limit of {limit} bytes.")
    if request is not None:
        request.kashflow_raw_body = body
    return body


class KashflowJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        require_utf8(media_type)
        body = read_body(stream, parser_context)
        if not body.strip():
            return None
        try:
            return loads(body)
        except drf.ParseError as exc:
            detail = str(exc.detail)
            prefix = "The body is not valid JSON: "
            raise drf.ParseError(detail if detail.startswith(prefix) else prefix + detail) from None


class KashflowXMLParser(BaseParser):
    media_type = "application/xml"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        require_utf8(media_type)
        body = read_body(stream, parser_context)
        if not body.strip():
            return None
        view = (parser_context or {}).get("view")
        return parse_xml(body, as_list=bool(getattr(view, "xml_body_is_list", False)))


class KashflowTextXMLParser(KashflowXMLParser):
    media_type = "text/xml"
