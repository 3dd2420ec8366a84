import django_filters

from apps.core.models import ImportJob


class ImportJobFilterSet(django_filters.FilterSet):
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = ImportJob
        fields = ["kind", "scope", "status", "trace_id"]
