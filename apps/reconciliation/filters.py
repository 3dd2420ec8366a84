import django_filters
from django.db.models import Q, QuerySet

from apps.core.filters import AFTER, BEFORE, DATE_RULE, DateBoundFilter
from apps.reconciliation.models import ReconciliationStatement


class ReconciliationStatementFilterSet(django_filters.FilterSet):
    supplier = django_filters.CharFilter(
        method="filter_supplier", label="Supplier name (contains) or exact supplier tax id"
    )
    supplierName = django_filters.CharFilter(field_name="supplier_name", lookup_expr="icontains")  # noqa: N815
    supplierTaxId = django_filters.CharFilter(field_name="supplier_tax_id")  # noqa: N815
    buyer = django_filters.CharFilter(method="filter_buyer", label="Buyer name (contains) or exact buyer tax id")
    buyerTaxId = django_filters.CharFilter(field_name="buyer_tax_id")  # noqa: N815
    status = django_filters.ChoiceFilter(choices=ReconciliationStatement.Status.choices)
    reconciliationNo = django_filters.CharFilter(field_name="reconciliation_no")  # noqa: N815
    periodFrom = DateBoundFilter(  # noqa: N815
        field_name="end_time", bound=AFTER, help_text="Period ends at or after this. " + DATE_RULE
    )
    periodTo = DateBoundFilter(  # noqa: N815
        field_name="start_time", bound=BEFORE, help_text="Period starts at or before this. " + DATE_RULE
    )
    productNo = django_filters.CharFilter(  # noqa: N815 - /api/v1 is camelCase
        method="filter_product_no", label="A line has this product number"
    )

    class Meta:
        model = ReconciliationStatement
        fields = ["reconciliationNo", "currency", "status", "supplierTaxId", "buyerTaxId"]

    def filter_supplier(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(supplier_name__icontains=value) | Q(supplier_tax_id=value.upper()))

    def filter_buyer(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(buyer_name__icontains=value) | Q(buyer_tax_id=value.upper()))

    def filter_product_no(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(lines__product_no=value).distinct()
