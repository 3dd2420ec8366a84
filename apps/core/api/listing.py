"""The filter and ordering backends of every /api/v1 list.

- ``StableOrderingFilter``: ``?ordering=`` takes only the view's
  ``ordering_fields`` (anything else is a 400), and every ordering, asked for or
  default, ends with the primary key, so that rows that tie on the ordering keep
  one order from page to page: paging shows each row exactly once.
- ``StrictFilterBackend``: a query parameter that is neither a filter of the
  view's FilterSet nor a paging/ordering parameter is a 400, not ignored; so is
  a parameter given more than once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions as drf
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

from apps.core.api.casing import deprecated_names, note_deprecated, to_camel

TIE_BREAKERS = frozenset({"pk", "-pk", "id", "-id"})
# Parameters every list takes besides its filters and its pagination's.
COMMON_PARAMS = frozenset({"ordering", "format"})
UNKNOWN_PARAMETER = _("Unknown query parameter.")
REPEATED_PARAMETER = _("Given more than once: give this query parameter once.")
UNKNOWN_ORDERING = _("Unknown ordering field: %(field)s. Allowed: %(allowed)s.")


def with_tie_breaker(ordering: Iterable[str]) -> list[str]:
    """``ordering`` ending with the primary key (unless it already has it)."""
    terms = [term for term in ordering if term]
    if not TIE_BREAKERS.intersection(terms):
        terms.append("pk")
    return terms


def query_problems(query: QueryDict, allowed: Iterable[str]) -> dict[str, str]:
    """Each query parameter not in ``allowed`` (unknown) or given more than once
    (``?year=2023&year=2024``, or under its old and its camelCase name: no
    parameter of finhub takes a list that way, and reading one of the values
    would silently drop the other), with its message; sorted by name."""
    known = set(allowed)
    problems = {name: str(UNKNOWN_PARAMETER) for name in query if name not in known}
    problems.update({name: str(REPEATED_PARAMETER) for name, values in query.lists() if len(values) > 1})
    # An old name beside its new one (``page_size`` and ``pageSize``) is one parameter given twice.
    problems.update(
        {name: str(REPEATED_PARAMETER) for name in query if to_camel(name) != name and to_camel(name) in query}
    )
    return dict(sorted(problems.items()))


def reject_unknown_params(request: Request, allowed: Iterable[str]) -> None:
    """400 naming every query parameter that is not in ``allowed`` or is repeated."""
    problems = query_problems(request.query_params, allowed)
    if problems:
        raise drf.ValidationError({name: [message] for name, message in problems.items()})


def filter_params(request: Request, view: Any) -> set[str]:
    """The query parameters of a list request that filter it (not paging, ordering
    or format)."""
    paging = _paging_params(view)
    return {name for name in request.query_params if name not in COMMON_PARAMS and name not in paging}


class StableOrderingFilter(OrderingFilter):
    """``?ordering=`` takes the camelCase names of the view's ``ordering_fields``
    (a snake_case name is a deprecated alias); the id always comes last."""

    def public_names(self, queryset: QuerySet, view: Any, request: Request | None = None) -> dict[str, str]:
        valid = [name for name, _label in self.get_valid_fields(queryset, view, {"request": request})]
        return {to_camel(name): name for name in valid}

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> list[str]:
        param = request.query_params.get(self.ordering_param)
        if param is not None:
            public = self.public_names(queryset, view, request)
            return with_tie_breaker([self._field(request, term.strip(), public) for term in param.split(",")])
        default = self.get_default_ordering(view)
        if not default:
            default = [str(term) for term in queryset.query.order_by or queryset.model._meta.ordering]
        return with_tie_breaker(default)

    def _field(self, request: Request, term: str, public: dict[str, str]) -> str:
        sign, name = ("-", term[1:]) if term.startswith("-") else ("", term)
        if name in public:
            return sign + public[name]
        if name != to_camel(name) and to_camel(name) in public:
            note_deprecated(request, f"ordering={term}", f"ordering={sign}{to_camel(name)}")
            return sign + public[to_camel(name)]
        allowed = ", ".join(sorted(public))
        raise drf.ValidationError({self.ordering_param: [str(UNKNOWN_ORDERING % {"field": term, "allowed": allowed})]})

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        fields = [to_camel(f if isinstance(f, str) else f[0]) for f in getattr(view, "ordering_fields", None) or []]
        choices = [term for name in fields for term in (name, f"-{name}")]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Comma-separated fields to order by (- for descending); "
                "the id always breaks ties. Any other field is a 400.",
                "schema": {"type": "array", "items": {"type": "string", "enum": choices}},
                "style": "form",
                "explode": False,
            }
        ]


def _paging_params(view: Any) -> set[str]:
    paginator = getattr(view, "paginator", None)
    return paginator.query_params() if paginator is not None and hasattr(paginator, "query_params") else set()


def camel_query(request: Request, allowed: set[str]) -> QueryDict:
    """The query with each deprecated snake_case name read as its camelCase name
    (noted for the Deprecation header); any other name not in ``allowed`` is a 400."""
    query = request.query_params.copy()
    for name in list(query):
        camel = to_camel(name)
        if name not in allowed and camel != name and camel in allowed and camel not in query:
            query.setlist(camel, query.getlist(name))
            del query[name]
            note_deprecated(request, name, camel)
    problems = query_problems(query, allowed)
    if problems:
        raise drf.ValidationError({name: [message] for name, message in problems.items()})
    return query


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter with camelCase names (snake_case ones as deprecated aliases)
    and a 400 for any query parameter that is not a filter, paging or ordering."""

    def allowed_params(self, view: Any, filterset_class: Any) -> set[str]:
        allowed = set(COMMON_PARAMS) | _paging_params(view) | set(getattr(view, "extra_query_params", ()))
        if filterset_class is not None:
            allowed.update(filterset_class.base_filters)
        return allowed

    def get_filterset_kwargs(self, request: Request, queryset: QuerySet, view: Any) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_filterset_kwargs(request, queryset, view)
        kwargs["data"] = camel_query(request, self.allowed_params(view, self.get_filterset_class(view, queryset)))
        return kwargs

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        if self.get_filterset_class(view, queryset) is None:
            camel_query(request, self.allowed_params(view, None))
        try:
            return super().filter_queryset(request, queryset, view)
        except drf.ValidationError as error:
            raise _named_as_sent(request, error) from None


def _named_as_sent(request: Request, error: drf.ValidationError) -> drf.ValidationError:
    """The errors keyed by the names the request used (a deprecated alias too)."""
    sent = {new: old for old, new in deprecated_names(request).items()}
    if not isinstance(error.detail, dict) or not sent:
        return error
    return drf.ValidationError({sent.get(name, name): detail for name, detail in error.detail.items()})
