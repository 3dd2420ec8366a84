"""Pagination of the /api/v1 lists.

- ``StandardPagination``: page numbers (``page``, ``page_size``). A view may say
  how many rows its bare scope holds (``scope_count(request)``, e.g. a year of
  invoices from the import job that loaded it); the count then comes from there
  instead of a ``COUNT(*)`` over the scope.
- ``PageOrCursorPagination``: the same, and keyset ("cursor") paging for the big
  lists: ``?cursor=`` (empty) starts, each page's ``next`` carries the cursor,
  the position of the page's last row in the list's ordering (which always ends
  with the id). Deep pages cost the same as the first, unlike OFFSET pages; the
  body then has no ``count`` and ``previous`` is null.
"""

from __future__ import annotations

import base64
import functools
import json
from typing import Any

from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions as drf
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from apps.core.api.casing import note_deprecated

BAD_PAGE_SIZE = _("pageSize must be a whole number from 1 to {max}.")
INVALID_CURSOR = _("The cursor is not valid for this list and ordering; start again with an empty cursor.")


class KnownCountPaginator(Paginator):
    """Django's paginator with a count that is known already."""

    def __init__(self, *args: Any, known_count: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.known_count = known_count

    @cached_property
    def count(self) -> int:
        return self.known_count


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "pageSize"
    deprecated_page_size_query_param = "page_size"  # the name before camelCase; one more release
    max_page_size = 1000

    def get_page_size(self, request: Request) -> int | None:
        params = request.query_params
        if self.page_size_query_param not in params and self.deprecated_page_size_query_param in params:
            note_deprecated(request, self.deprecated_page_size_query_param, self.page_size_query_param)
            self.page_size_query_param = self.deprecated_page_size_query_param
        raw = params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        # DRF falls back to the default on a bad value and cuts a large one to the
        # maximum; a client asking for something else is told instead.
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            message = BAD_PAGE_SIZE.format(max=self.max_page_size)
            raise drf.ValidationError({self.page_size_query_param: [str(message)]})
        return int(raw)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        scope_count = getattr(view, "scope_count", None)
        known = scope_count(request) if scope_count is not None else None
        if known is not None:
            self.django_paginator_class = functools.partial(KnownCountPaginator, known_count=known)  # type: ignore[assignment]
        return super().paginate_queryset(queryset, request, view)

    def query_params(self) -> set[str]:
        """The query parameters this pagination reads."""
        return {self.page_query_param, self.page_size_query_param, self.deprecated_page_size_query_param}


def _terms(queryset: QuerySet) -> list[str]:
    return [str(term) for term in queryset.query.order_by]


def _value(row: Any, term: str) -> Any:
    return getattr(row, term.removeprefix("-"))


def _after(queryset: QuerySet, terms: list[str], values: list[Any]) -> QuerySet:
    """The rows after ``values`` in the ordering ``terms`` (lexicographic)."""
    after = Q()
    equal = Q()
    for term, value in zip(terms, values, strict=True):
        name = term.removeprefix("-")
        after |= equal & Q(**{f"{name}__{'lt' if term.startswith('-') else 'gt'}": value})
        equal &= Q(**{name: value})
    return queryset.filter(after)


class PageOrCursorPagination(StandardPagination):
    cursor_query_param = "cursor"
    cursor_mode = False

    def query_params(self) -> set[str]:
        return {*super().query_params(), self.cursor_query_param}

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        if self.cursor_query_param not in request.query_params:
            return super().paginate_queryset(queryset, request, view)
        self.cursor_mode = True
        self.cursor_request = request
        terms = _terms(queryset)
        size = self.get_page_size(request) or self.page_size
        cursor = request.query_params[self.cursor_query_param]
        if cursor:
            queryset = _after(queryset, terms, self._decode(cursor, terms))
        rows = list(queryset[: size + 1])
        self.next_cursor = self._encode(terms, rows[size - 1]) if len(rows) > size else None
        return rows[:size]

    def _encode(self, terms: list[str], row: Any) -> str:
        payload = json.dumps({"o": terms, "v": [_value(row, term) for term in terms]}, cls=DjangoJSONEncoder)
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    def _decode(self, cursor: str, terms: list[str]) -> list[Any]:
        try:
            payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
            values = payload["v"]
            if payload["o"] != terms or not isinstance(values, list) or len(values) != len(terms):
                raise ValueError(cursor)
            if any(value is None or isinstance(value, dict | list) for value in values):
                raise ValueError(cursor)
        except (ValueError, TypeError, KeyError, UnicodeDecodeError):
            raise drf.ValidationError({self.cursor_query_param: [str(INVALID_CURSOR)]}) from None
        return values

    def get_paginated_response(self, data: Any) -> Response:
        if not self.cursor_mode:
            return super().get_paginated_response(data)
        return Response({"next": self.get_next_link(), "previous": None, "results": data})

    def get_next_link(self) -> str | None:
        if not self.cursor_mode:
            return super().get_next_link()
        if self.next_cursor is None:
            return None
        url = remove_query_param(self.cursor_request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, self.next_cursor)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paged = super().get_paginated_response_schema(schema)
        paged["required"] = ["results"]
        paged["properties"]["count"]["description"] = "Rows in the list; absent with a cursor."
        return paged

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Keyset paging: empty to start, then the cursor of the previous page's next link "
                "(with the same ordering). Deep pages cost the same as the first.",
                "schema": {"type": "string"},
            },
        ]
