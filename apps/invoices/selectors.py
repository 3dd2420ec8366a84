from django.db.models import QuerySet

from apps.invoices.models import Invoice, InvoiceYearTotal


def invoice_list() -> QuerySet[Invoice]:
    return Invoice.objects.select_related("job")


def invoice_year_totals(*, years: list[int]) -> list[InvoiceYearTotal]:
    """Count and sums per year and currency, from the aggregate table each import rewrites."""
    return list(InvoiceYearTotal.objects.filter(year__in=years).order_by("-year", "currency"))
