from django.db.models import QuerySet

from apps.invoices.models import Invoice


def invoice_list() -> QuerySet[Invoice]:
    return Invoice.objects.select_related("job")
