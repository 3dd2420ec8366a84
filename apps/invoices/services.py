"""Writes of the invoice area: validate SAP's yearly report into a staged file,
then replace the year atomically from it (the pipeline is apps.core.imports)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from apps.core.exceptions import ValidationFailed
from apps.core.imports import ErrorCollector, FieldSpec, StagedFile, copy_staged_rows, stage_report
from apps.core.models import ImportJob
from apps.core.parsing import (
    NOT_A_LIST,
    FieldError,
    fiscal_year,
    money_parser,
    parse_choice,
    parse_currency,
    parse_date,
    parse_fraction,
    text_parser,
)
from apps.core.services import import_job_queue, import_job_run
from apps.invoices.models import Invoice

KIND = "invoices"

INVALID_REPORT = _("The invoice report is invalid: {count} error(s).")
DUPLICATE_INVOICE_ID = _("invoiceId {value} appears more than once in this report.")
SPANS_YEARS = _("The report spans several years ({years}); send one year per request.")
OTHER_YEAR = _("invoiceDate is in {found}, not in the requested year {year}.")
EMPTY_NEEDS_YEAR = _("An empty report needs ?year=YYYY to say which year to empty.")
BAD_YEAR = _("year must be a four-digit year.")
INVALID_ORDER_ITEM = _("Each entry must be an object with a string itemNo.")


def _order_items(value: object) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise FieldError(NOT_A_LIST)
    items = []
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("itemNo"), str):
            raise FieldError(INVALID_ORDER_ITEM)
        items.append({"itemNo": entry["itemNo"]})
    return items


_text = text_parser(max_length=64)
_optional_text = text_parser(required=False, max_length=64)
_money = money_parser()
_money_or_string = money_parser(allow_string=True)


def _reverse_mark(value: object) -> Any:
    return parse_choice(value, (0, 1))


def _invoice_type(value: object) -> Any:
    return parse_choice(value, ("M", "O", "L", "S"))


# Every field is required by the spec; the order is the staged column order.
FIELDS = [
    FieldSpec("orderId", "order_id", _text),
    FieldSpec("sapOrderId", "sap_order_id", _text),
    FieldSpec("invoiceId", "invoice_id", _text),
    FieldSpec("amount", "amount", _money),
    FieldSpec("taxAmount", "tax_amount", _money_or_string),
    FieldSpec("dueDate", "due_date", parse_date),
    FieldSpec("distributionChannel", "distribution_channel", _text),
    FieldSpec("deliveryNote", "delivery_note", _optional_text),
    FieldSpec("currency", "currency", parse_currency),
    FieldSpec("payer", "payer", _text),
    FieldSpec("reverseMark", "reverse_mark", _reverse_mark),
    FieldSpec("createDate", "create_date", parse_date),
    FieldSpec("taxRate", "tax_rate", parse_fraction),
    FieldSpec("taxCode", "tax_code", _optional_text),
    FieldSpec("invoiceDate", "invoice_date", parse_date),
    FieldSpec("orderItem", "order_item", _optional_text),
    FieldSpec("reverseId", "reverse_id", _optional_text),
    FieldSpec("invoiceType", "invoice_type", _invoice_type),
    FieldSpec("amountLC", "amount_lc", _money),
    FieldSpec("currencyLC", "currency_lc", parse_currency),
    FieldSpec("taxAmountLC", "tax_amount_lc", _money),
    FieldSpec("orderItems", "order_items", _order_items),
    FieldSpec("billTo", "bill_to", _text),
]
STAGED_COLUMNS = ["year", *(spec.column for spec in FIELDS), "row_hash"]
INVOICE_DATE_POSITION = [spec.wire for spec in FIELDS].index("invoiceDate")
INVOICE_ID_POSITION = [spec.wire for spec in FIELDS].index("invoiceId")


@dataclass
class StagedReport(StagedFile):
    """A validated report on disk, ready to replace ``year``."""

    year: int


def parse_year_param(raw: str | None) -> int | None:
    if raw in (None, ""):
        return None
    if not (isinstance(raw, str) and len(raw) == 4 and raw.isdigit()):
        raise ValidationFailed(BAD_YEAR, errors=[{"index": 0, "field": "year", "message": str(BAD_YEAR)}])
    return int(raw)


def invoice_report_stage(
    *, body: IO[bytes], year: int | None = None, on_progress: Callable[[int], None] | None = None
) -> StagedReport:
    """Validate a report (a JSON array, streamed) and stage its rows for COPY.

    Every row is checked; any error raises ValidationFailed (first 100 errors and
    the total count) and nothing is staged. The year is the (fiscal) year of
    invoiceDate: the same for every row, and equal to ``year`` when given.
    """
    start_month = settings.FISCAL_YEAR_START_MONTH
    seen_ids: set[str] = set()
    years: dict[int, int] = {}  # year -> index of its first row

    def check_row(index: int, values: list[Any], errors: ErrorCollector) -> list[Any] | None:
        invoice_id = values[INVOICE_ID_POSITION]
        if invoice_id in seen_ids:
            errors.add(index, "invoiceId", DUPLICATE_INVOICE_ID.format(value=invoice_id))
            return None
        seen_ids.add(invoice_id)
        row_year = fiscal_year(values[INVOICE_DATE_POSITION], start_month)
        if year is not None and row_year != year:
            errors.add(index, "invoiceDate", OTHER_YEAR.format(found=row_year, year=year))
            return None
        years.setdefault(row_year, index)
        return [row_year]

    def finish(errors: ErrorCollector) -> None:
        if len(years) > 1:
            named = ", ".join(str(y) for y in sorted(years))
            for first_index in sorted(years.values())[1:]:
                errors.add(first_index, "invoiceDate", SPANS_YEARS.format(years=named))
            errors.raise_if_any(SPANS_YEARS.format(years=named))
        if not years and not errors and year is None:
            errors.add(0, "year", EMPTY_NEEDS_YEAR)
            errors.raise_if_any(EMPTY_NEEDS_YEAR)

    staged = stage_report(
        body=body,
        kind=KIND,
        fields=FIELDS,
        check_row=check_row,
        finish=finish,
        invalid_message=INVALID_REPORT,
        on_progress=on_progress,
    )
    report_year = year if year is not None else next(iter(years))
    return StagedReport(path=staged.path, rows=staged.rows, year=report_year)


def invoice_import_queue(*, staged: StagedReport, enqueue: bool = True, **audit: Any) -> ImportJob:
    """Record the import job of a staged report (409 while another import of that
    year is active) and queue the replace of the year. ``audit``: body,
    body_sha256, body_size, client, trace_id, source (see import_job_queue)."""
    from apps.invoices.tasks import apply_invoice_import

    return import_job_queue(
        kind=KIND, scope=str(staged.year), staged=staged, task=apply_invoice_import, enqueue=enqueue, **audit
    )


def _count_changes(*, job: ImportJob, year: int) -> dict[str, int]:
    old = Invoice.objects.filter(year=year).exclude(job_id=job.pk)
    new = Invoice.objects.filter(job_id=job.pk)
    old_same_id = old.filter(invoice_id=OuterRef("invoice_id"))
    new_same_id = new.filter(invoice_id=OuterRef("invoice_id"))
    return {
        "added": new.exclude(Exists(old_same_id)).count(),
        "removed": old.exclude(Exists(new_same_id)).count(),
        "changed": new.filter(Exists(old_same_id))
        .exclude(Exists(old_same_id.filter(row_hash=OuterRef("row_hash"))))
        .count(),
        "rows": job.progress_total,
    }


def _replace_year(job: ImportJob, progress: Callable[[int], None]) -> dict[str, int]:
    year = int(job.scope)
    copy_staged_rows(
        table=Invoice._meta.db_table,
        columns=STAGED_COLUMNS,
        path=Path(settings.MEDIA_ROOT) / job.staged_path,
        extra={"job_id": job.pk},
        progress=progress,
    )
    counts = _count_changes(job=job, year=year)
    Invoice.objects.filter(year=year).exclude(job_id=job.pk).delete()
    return counts


def invoice_year_replace(*, job_id: int, on_progress: Callable[[int], None] | None = None) -> ImportJob | None:
    """Replace the invoices of the job's year with its staged rows, atomically.

    Readers see the old year until the transaction commits and the new year after;
    any failure (a constraint, a lost connection, a killed worker) rolls back and
    leaves the old year exactly as it was. Other years are never touched. A job
    that is already finished is not applied again (returns None).
    """
    return import_job_run(job_id=job_id, apply=_replace_year, on_progress=on_progress)
