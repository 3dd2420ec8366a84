"""Writes of the invoice area: validate SAP's yearly report into a staged file,
then replace the year atomically from it."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from apps.core.exceptions import ValidationFailed
from apps.core.imports import (
    ErrorCollector,
    ProgressReporter,
    StagedRows,
    copy_staged_rows,
    iter_json_array,
    staged_path,
)
from apps.core.models import ApiClient, ImportJob
from apps.core.parsing import (
    NOT_A_LIST,
    NOT_AN_OBJECT,
    REQUIRED,
    FieldError,
    fiscal_year,
    parse_choice,
    parse_currency,
    parse_date,
    parse_fraction,
    parse_money,
    parse_text,
)
from apps.core.services import import_job_create, import_job_fail, import_job_start, import_job_succeed
from apps.invoices.models import Invoice

logger = logging.getLogger(__name__)

KIND = "invoices"
MAX_ATTEMPTS = 3

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


def _text(value: object) -> str:
    return parse_text(value, max_length=64)


def _optional_text(value: object) -> str:
    return parse_text(value, required=False, max_length=64)


def _money(value: object) -> Any:
    return parse_money(value)


def _money_or_string(value: object) -> Any:
    return parse_money(value, allow_string=True)


def _reverse_mark(value: object) -> Any:
    return parse_choice(value, (0, 1))


def _invoice_type(value: object) -> Any:
    return parse_choice(value, ("M", "O", "L", "S"))


# (wire field, model column, parser): the order is the staged column order.
FIELDS: list[tuple[str, str, Callable[[object], Any]]] = [
    ("orderId", "order_id", _text),
    ("sapOrderId", "sap_order_id", _text),
    ("invoiceId", "invoice_id", _text),
    ("amount", "amount", _money),
    ("taxAmount", "tax_amount", _money_or_string),
    ("dueDate", "due_date", parse_date),
    ("distributionChannel", "distribution_channel", _text),
    ("deliveryNote", "delivery_note", _optional_text),
    ("currency", "currency", parse_currency),
    ("payer", "payer", _text),
    ("reverseMark", "reverse_mark", _reverse_mark),
    ("createDate", "create_date", parse_date),
    ("taxRate", "tax_rate", parse_fraction),
    ("taxCode", "tax_code", _optional_text),
    ("invoiceDate", "invoice_date", parse_date),
    ("orderItem", "order_item", _optional_text),
    ("reverseId", "reverse_id", _optional_text),
    ("invoiceType", "invoice_type", _invoice_type),
    ("amountLC", "amount_lc", _money),
    ("currencyLC", "currency_lc", parse_currency),
    ("taxAmountLC", "tax_amount_lc", _money),
    ("orderItems", "order_items", _order_items),
    ("billTo", "bill_to", _text),
]
STAGED_COLUMNS = ["year", *(column for _, column, _ in FIELDS), "row_hash"]
INVOICE_DATE_POSITION = [wire for wire, _, _ in FIELDS].index("invoiceDate")
INVOICE_ID_POSITION = [wire for wire, _, _ in FIELDS].index("invoiceId")


@dataclass
class StagedReport:
    """A validated report on disk, ready to replace ``year``."""

    path: Path
    rows: int
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

    Every row is checked; the first 100 errors and the total count are raised as
    ValidationFailed and nothing is staged. The year is the (fiscal) year of
    invoiceDate and must be the same for every row (and equal ``year`` if given).
    ``on_progress`` is called now and then with the number of body bytes read.
    """
    start_month = settings.FISCAL_YEAR_START_MONTH
    errors = ErrorCollector()
    seen_ids: set[str] = set()
    years: dict[int, int] = {}  # year -> first row index
    writer = StagedRows(staged_path(KIND, uuid.uuid4().hex))
    fields = FIELDS
    try:
        for index, row in enumerate(iter_json_array(body)):
            if on_progress is not None and index % 10000 == 0:
                on_progress(body.tell())
            if not isinstance(row, dict):
                errors.add(index, "", NOT_AN_OBJECT)
                continue
            values: list[Any] = []
            valid = True
            for wire, _column, parse in fields:
                value = row.get(wire)
                if value is None:
                    errors.add(index, wire, REQUIRED)
                    valid = False
                    continue
                try:
                    values.append(parse(value))
                except FieldError as exc:
                    errors.add(index, wire, exc.message)
                    valid = False
            if not valid:
                continue
            invoice_id = values[INVOICE_ID_POSITION]
            if invoice_id in seen_ids:
                errors.add(index, "invoiceId", DUPLICATE_INVOICE_ID.format(value=invoice_id))
                continue
            seen_ids.add(invoice_id)
            row_year = fiscal_year(values[INVOICE_DATE_POSITION], start_month)
            if year is not None and row_year != year:
                errors.add(index, "invoiceDate", OTHER_YEAR.format(found=row_year, year=year))
                continue
            years.setdefault(row_year, index)
            if not errors:
                writer.write([row_year, *values])
        if len(years) > 1:
            named = ", ".join(str(y) for y in sorted(years))
            for _other_year, index in sorted(years.items(), key=lambda item: item[1])[1:]:
                errors.add(index, "invoiceDate", SPANS_YEARS.format(years=named))
            errors.raise_if_any(SPANS_YEARS.format(years=named))
        if not years and not errors and year is None:
            errors.add(0, "year", EMPTY_NEEDS_YEAR)
            errors.raise_if_any(EMPTY_NEEDS_YEAR)
        errors.raise_if_any(INVALID_REPORT.format(count=errors.count))
    except BaseException:
        writer.discard()
        raise
    writer.close()
    report_year = year if year is not None else next(iter(years))
    return StagedReport(path=writer.path, rows=writer.rows, year=report_year)


def invoice_import_queue(
    *,
    staged: StagedReport,
    body: IO[bytes],
    body_sha256: str,
    body_size: int,
    client: ApiClient | None = None,
    trace_id: str = "",
    source: str = "api",
    enqueue: bool = True,
) -> ImportJob:
    """Record an import job for a staged report (409 if one of that year is active)
    and queue the replace once the job is committed (``enqueue=False``: the caller
    applies it itself with ``invoice_year_replace``)."""
    from apps.invoices.tasks import apply_invoice_import

    try:
        job = import_job_create(
            kind=KIND,
            scope=str(staged.year),
            total=staged.rows,
            client=client,
            source=source,
            trace_id=trace_id,
            body_sha256=body_sha256,
            body_size=body_size,
            body_file=body,
            staged_path=str(staged.path.relative_to(settings.MEDIA_ROOT)),
        )
    except BaseException:
        staged.path.unlink(missing_ok=True)
        raise
    if enqueue:
        transaction.on_commit(lambda: apply_invoice_import.delay(job.pk))
    return job


def invoice_import_record_rejection(
    *,
    error: ValidationFailed,
    body: IO[bytes],
    body_sha256: str,
    body_size: int,
    client: ApiClient | None,
    trace_id: str,
    source: str = "api",
) -> ImportJob:
    """Keep a rejected report for audit as a failed job (nothing else changes)."""
    job = import_job_create(
        kind=KIND,
        scope="rejected",
        client=client,
        source=source,
        trace_id=trace_id,
        body_sha256=body_sha256,
        body_size=body_size,
        body_file=body,
    )
    import_job_fail(job_id=job.pk, message=str(error.message), errors=error.errors, error_count=error.error_count)
    return job


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


def _lock_job(job_id: int) -> None:
    """Serialise deliveries of the same job: a re-delivered task waits here for a
    still-running first delivery and then finds the job finished."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7301, job_id])


def invoice_year_replace(*, job_id: int, on_progress: Callable[[int], None] | None = None) -> ImportJob | None:
    """Replace the invoices of the job's year with its staged rows, atomically.

    Readers see the old year until the transaction commits and the new year after;
    any failure (a constraint, a lost connection, a killed worker) rolls back and
    leaves the old year exactly as it was. Other years are never touched. A job
    that is already finished is not applied again (returns None).
    """
    job = import_job_start(job_id=job_id)
    if job is None:
        return None
    if job.attempts > MAX_ATTEMPTS:
        import_job_fail(job_id=job_id, message=f"Gave up after {MAX_ATTEMPTS} attempts.")
        return None
    year = int(job.scope)
    reporter = ProgressReporter(job.pk)

    def progress(done: int) -> None:
        reporter.update(done)
        if on_progress is not None:
            on_progress(done)

    try:
        with transaction.atomic():
            _lock_job(job.pk)
            if not ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).exists():
                return None
            copy_staged_rows(
                table=Invoice._meta.db_table,
                columns=STAGED_COLUMNS,
                path=Path(settings.MEDIA_ROOT) / job.staged_path,
                extra={"job_id": job.pk},
                progress=progress,
            )
            counts = _count_changes(job=job, year=year)
            Invoice.objects.filter(year=year).exclude(job_id=job.pk).delete()
            import_job_succeed(job=job, counts=counts)
    except Exception as exc:
        logger.exception("Invoice import %s failed", job.public_id)
        import_job_fail(job_id=job.pk, message=f"{type(exc).__name__}: {exc}")
        job.refresh_from_db()
        return job
    finally:
        reporter.close()
    (Path(settings.MEDIA_ROOT) / job.staged_path).unlink(missing_ok=True)
    return job
