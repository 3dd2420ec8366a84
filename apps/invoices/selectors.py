from django.db.models import QuerySet

from apps.core.models import ImportJob
from apps.invoices.models import Invoice, InvoiceYearTotal


def invoice_list() -> QuerySet[Invoice]:
    return Invoice.objects.select_related("job")


def invoice_year_totals(*, years: list[int]) -> list[InvoiceYearTotal]:
    """Count and sums per year and currency, from the aggregate table each import rewrites."""
    return list(InvoiceYearTotal.objects.filter(year__in=years).order_by("-year", "currency"))


def invoice_year_row_count(*, year: int) -> int | None:
    """The rows of ``year`` as the import that loaded them counted them (a year's
    rows all come from one job), instead of counting a partition of a million
    rows; None when that job did not record it."""
    job_ids = list(Invoice.objects.filter(year=year).order_by().values_list("job_id", flat=True)[:1])
    job_id = job_ids[0] if job_ids else None
    if job_id is None:
        return 0
    counts = ImportJob.objects.filter(pk=job_id).values_list("counts", flat=True).first() or {}
    rows = counts.get("rows")
    return rows if isinstance(rows, int) and not isinstance(rows, bool) else None
