"""One casing for /api/v1: camelCase query parameters, ordering values and
fields (the casing of the SAP and Xunlian wire names the API already serves).

The snake_case names of earlier releases keep working for one release as
deprecated aliases: a query parameter or ordering value in snake_case is read as
its camelCase name, and the response then carries ``Deprecation: true`` and a
``Warning`` naming the new names; a response field renamed to camelCase is also
sent under its old name (described as deprecated in the schema)."""

from __future__ import annotations

import copy
import re
from typing import Any

from rest_framework import serializers

ALIAS_NOTE = "Deprecated alias of `{name}`, removed in the next release."
_WORD = re.compile(r"_([a-z0-9])")


def to_camel(name: str) -> str:
    """``trace_id`` -> ``traceId``, ``invoiceDate_after`` -> ``invoiceDateAfter``;
    a leading ``-`` (descending) is kept."""
    sign, bare = ("-", name[1:]) if name.startswith("-") else ("", name)
    return sign + _WORD.sub(lambda match: match.group(1).upper(), bare)


def note_deprecated(request: Any, old: str, new: str) -> None:
    """Remember that ``old`` was used for ``new``; DeprecationHeaderMiddleware says so."""
    raw = getattr(request, "_request", request)
    notes = getattr(raw, "finhub_deprecated_names", None)
    if notes is None:
        notes = raw.finhub_deprecated_names = {}
    notes[old] = new


def deprecated_names(request: Any) -> dict[str, str]:
    """The deprecated names this request used, old -> new."""
    raw = getattr(request, "_request", request)
    return dict(getattr(raw, "finhub_deprecated_names", None) or {})


class CamelCaseFieldsMixin:
    """Serializer fields under their camelCase names; a renamed field is also sent
    under its old snake_case name for one release (``keep_snake_aliases``)."""

    keep_snake_aliases = True

    def get_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = super().get_fields()  # type: ignore[misc]
        renamed: dict[str, Any] = {}
        for name, field in fields.items():
            camel = to_camel(name)
            if camel == name:
                renamed[name] = field
                continue
            if self.keep_snake_aliases:
                alias = copy.deepcopy(field)  # still bound to its own (old) name
                alias.help_text = ALIAS_NOTE.format(name=camel)
                renamed[name] = alias
            renamed[camel] = _bound_to(field, name)
        return renamed


def _bound_to(field: serializers.Field, name: str) -> serializers.Field:
    """``field`` reading what it read under ``name`` whatever it is called now."""
    if isinstance(field, serializers.SerializerMethodField) and field.method_name is None:
        field.method_name = f"get_{name}"
    elif field.source is None:
        field.source = name
    return field
