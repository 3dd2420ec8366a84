"""Filters shared by every /api/v1 FilterSet.

Dates and date-times follow ONE rule (``DateBoundFilter``): a bound given as a
bare date (``2024-03-31``) covers that whole day, so ``<field>_after=D``
includes everything from the start of D and ``<field>_before=D`` everything up
to the end of D (in ``TIME_ZONE``); a bound given as a date-time (ISO 8601,
with or without an offset) is an instant and is inclusive too. Both kinds of
value work on date and on date-time columns."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from apps.core.models import ImportJob

AFTER = "after"
BEFORE = "before"
BARE_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_RULE = "A bare date (YYYY-MM-DD) covers its whole day; a date-time (ISO 8601) is an inclusive instant."


class DateOrDateTimeField(forms.Field):
    """A bare date (kept a ``date``) or an ISO 8601 date-time (made aware, in UTC:
    ISO allows offsets such as +23:12 that PostgreSQL refuses)."""

    default_error_messages = {
        "invalid": _("Enter a date (YYYY-MM-DD) or an ISO 8601 date-time."),
        "range": _("The date-time is out of range."),
    }

    def to_python(self, value: Any) -> dt.date | dt.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        try:
            if BARE_DATE.fullmatch(text):
                return dt.date.fromisoformat(text)
            moment = parse_datetime(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if moment is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            return moment.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(self.error_messages["range"], code="invalid") from None


def day_bound(value: dt.date | dt.datetime, *, bound: str, on_datetime_column: bool) -> tuple[str, Any]:
    """The lookup and the value for one bound of a range: the whole-day rule."""
    if isinstance(value, dt.datetime):
        if not on_datetime_column:
            value = timezone.localtime(value).date()
        return ("gte" if bound == AFTER else "lte"), value
    if not on_datetime_column:
        return ("gte" if bound == AFTER else "lte"), value
    try:
        day = value if bound == AFTER else value + dt.timedelta(days=1)
        start: dt.datetime | None = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    except OverflowError:
        start = None
    if bound == AFTER:
        return "gte", start
    if start is None:  # the day after 9999-12-31: every instant is before it
        return "isnull", False
    return "lt", start


@extend_schema_field(
    {"type": "string", "anyOf": [{"format": "date"}, {"format": "date-time"}], "description": DATE_RULE}
)
class DateBoundFilter(django_filters.Filter):
    """One bound (``bound=AFTER`` or ``BEFORE``) of a date range under the whole-day
    rule above. Use it for every date and date-time filter of /api/v1."""

    field_class = DateOrDateTimeField

    def __init__(self, *args: Any, bound: str, **kwargs: Any) -> None:
        if bound not in (AFTER, BEFORE):
            raise ValueError(bound)
        self.bound = bound
        kwargs.setdefault("label", None)
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        if value in ([], (), {}, "", None):
            return qs
        field = qs.model._meta.get_field(self.field_name.split("__")[0])
        on_datetime_column = field.get_internal_type() == "DateTimeField"
        lookup, bound_value = day_bound(value, bound=self.bound, on_datetime_column=on_datetime_column)
        if bound_value is None:  # a lower bound past the last representable day
            return qs.none()
        return qs.filter(**{f"{self.field_name}__{lookup}": bound_value})


class IntegerFilter(django_filters.NumberFilter):
    """A whole number; give ``min_value`` / ``max_value`` so that an out-of-range
    value is a 400, not a database overflow."""

    field_class = forms.IntegerField


@extend_schema_field({"type": "integer", "minimum": 1000, "maximum": 9999})
class YearFilter(IntegerFilter):
    """A year of four digits (1000-9999); anything else is a 400."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1000)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)


class ImportJobFilterSet(django_filters.FilterSet):
    traceId = django_filters.CharFilter(field_name="trace_id")  # noqa: N815 - /api/v1 is camelCase
    createdAfter = DateBoundFilter(field_name="created_at", bound=AFTER, help_text=DATE_RULE)  # noqa: N815
    createdBefore = DateBoundFilter(field_name="created_at", bound=BEFORE, help_text=DATE_RULE)  # noqa: N815

    class Meta:
        model = ImportJob
        fields = ["kind", "scope", "status", "traceId", "createdAfter", "createdBefore"]
