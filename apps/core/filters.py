from datetime import UTC
from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from apps.core.models import ImportJob


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time converted to UTC: ISO allows offsets (+23:12) that
    PostgreSQL refuses, and a date near year 1 may not exist in UTC (400, not 500)."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value is not None and value.tzinfo is not None:
            try:
                value = value.astimezone(UTC)
            except OverflowError:
                raise forms.ValidationError(_("The date-time is out of range."), code="invalid") from None
        return value


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class IntegerFilter(django_filters.NumberFilter):
    """A whole number; give ``min_value`` / ``max_value`` so that an out-of-range
    value is a 400, not a database overflow."""

    field_class = forms.IntegerField


class ImportJobFilterSet(django_filters.FilterSet):
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = ImportJob
        fields = ["kind", "scope", "status", "trace_id"]
