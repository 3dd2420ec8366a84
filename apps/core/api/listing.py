"""The filter and ordering backends of every /api/v1 list.

- ``StableOrderingFilter``: ``?ordering=`` takes only the view's
  ``ordering_fields`` (anything else is a 400), and every ordering, asked for or
  default, ends with the primary key, so that rows that tie on the ordering keep
  one order from page to page: paging shows each row exactly once.
- ``StrictFilterBackend``: a query parameter that is neither a filter of the
  view's FilterSet nor a paging/ordering parameter is a 400, not ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions as drf
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

TIE_BREAKERS = frozenset({"pk", "-pk", "id", "-id"})
# Parameters every list takes besides its filters and its pagination's.
COMMON_PARAMS = frozenset({"ordering", "format"})
UNKNOWN_PARAMETER = _("Unknown query parameter.")
UNKNOWN_ORDERING = _("Unknown ordering field: %(field)s. Allowed: %(allowed)s.")


def with_tie_breaker(ordering: Iterable[str]) -> list[str]:
    """``ordering`` ending with the primary key (unless it already has it)."""
    terms = [term for term in ordering if term]
    if not TIE_BREAKERS.intersection(terms):
        terms.append("pk")
    return terms


def reject_unknown_params(request: Request, allowed: Iterable[str]) -> None:
    """400 naming every query parameter that is not in ``allowed``."""
    known = set(allowed)
    unknown = sorted(name for name in request.query_params if name not in known)
    if unknown:
        raise drf.ValidationError({name: [str(UNKNOWN_PARAMETER)] for name in unknown})


def filter_params(request: Request, view: Any) -> set[str]:
    """The query parameters of a list request that filter it (not paging, ordering
    or format)."""
    paginator = getattr(view, "paginator", None)
    paging = paginator.query_params() if paginator is not None and hasattr(paginator, "query_params") else set()
    return {name for name in request.query_params if name not in COMMON_PARAMS and name not in paging}


class StableOrderingFilter(OrderingFilter):
    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> list[str]:
        param = request.query_params.get(self.ordering_param)
        if param is not None:
            terms = [term.strip() for term in param.split(",")]
            valid = {name for name, _label in self.get_valid_fields(queryset, view, {"request": request})}
            for term in terms:
                if term.removeprefix("-") not in valid:
                    raise drf.ValidationError(
                        {
                            self.ordering_param: [
                                str(UNKNOWN_ORDERING % {"field": term, "allowed": ", ".join(sorted(valid))})
                            ]
                        }
                    )
            return with_tie_breaker(terms)
        default = self.get_default_ordering(view)
        if not default:
            default = [str(term) for term in queryset.query.order_by or queryset.model._meta.ordering]
        return with_tie_breaker(default)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        fields = [f if isinstance(f, str) else f[0] for f in getattr(view, "ordering_fields", None) or []]
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


class StrictFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        filterset = self.get_filterset(request, queryset, view)
        allowed = set(COMMON_PARAMS) | set(getattr(view, "extra_query_params", ()))
        paginator = getattr(view, "paginator", None)
        if paginator is not None and hasattr(paginator, "query_params"):
            allowed |= paginator.query_params()
        if filterset is not None:
            for name, field in filterset.form.fields.items():
                suffixes = getattr(field.widget, "suffixes", None)
                allowed.update(f"{name}_{suffix}" if suffix else name for suffix in suffixes or [""])
        reject_unknown_params(request, allowed)
        return super().filter_queryset(request, queryset, view)
