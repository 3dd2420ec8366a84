import django_filters

from apps.core.filters import AFTER, BEFORE, DATE_RULE, DateBoundFilter, YearFilter
from apps.invoices.models import Invoice


class InvoiceFilterSet(django_filters.FilterSet):
    """Query parameters use SAP's field names; date ranges as
    ``<field>After`` / ``<field>Before`` under apps.core.filters' whole-day rule."""

    year = YearFilter(field_name="year")
    billTo = django_filters.CharFilter(field_name="bill_to")  # noqa: N815 - wire name
    invoiceType = django_filters.ChoiceFilter(field_name="invoice_type", choices=Invoice.InvoiceType.choices)  # noqa: N815
    reverseMark = django_filters.TypedChoiceFilter(  # noqa: N815
        field_name="reverse_mark", choices=Invoice.ReverseMark.choices, coerce=int
    )
    invoiceDateAfter = DateBoundFilter(field_name="invoice_date", bound=AFTER, help_text=DATE_RULE)  # noqa: N815
    invoiceDateBefore = DateBoundFilter(field_name="invoice_date", bound=BEFORE, help_text=DATE_RULE)  # noqa: N815
    dueDateAfter = DateBoundFilter(field_name="due_date", bound=AFTER, help_text=DATE_RULE)  # noqa: N815
    dueDateBefore = DateBoundFilter(field_name="due_date", bound=BEFORE, help_text=DATE_RULE)  # noqa: N815
    currency = django_filters.CharFilter(field_name="currency", lookup_expr="iexact")

    class Meta:
        model = Invoice
        fields = ["year", "payer", "billTo", "invoiceType", "currency", "reverseMark"]
