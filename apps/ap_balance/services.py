"""Writes of the AP open-balance area: validate SAP's full report into a staged
file, then turn it into a new snapshot and make that the current one, atomically
(the pipeline is apps.core.imports)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from apps.ap_balance.models import Snapshot, SnapshotLine
from apps.core.exceptions import ValidationFailed
from apps.core.imports import ErrorCollector, FieldSpec, StagedFile, copy_staged_rows, stage_report
from apps.core.models import ImportJob
from apps.core.parsing import FieldError, parse_choice, parse_currency, parse_date, parse_money, parse_text
from apps.core.services import import_job_queue, import_job_run

KIND = "ap_balance"
# Every report replaces the whole open balance: one scope, so two concurrent
# reports conflict (409) instead of racing to become current.
SCOPE = "current"

INVALID_REPORT = _("The AP open-balance report is invalid: {count} error(s).")
DUPLICATE_LINE = _("invoinceId {value} appears more than once for this dealer and company code.")
NOT_A_FISCAL_YEAR = _("Must be a four-digit year.")
_FOUR_PLACES = Decimal("0.0001")


def _text(value: object) -> str:
    return parse_text(value, max_length=64)


def _optional_text(value: object) -> str:
    return parse_text(value, required=False, max_length=64)


def _company_code(value: object) -> str:
    return parse_text(value, required=False, max_length=32)


def _fiscal_year(value: object) -> str:
    if not (isinstance(value, str) and len(value.strip()) == 4 and value.strip().isdigit()):
        raise FieldError(NOT_A_FISCAL_YEAR)
    return value.strip()


def _money(value: object) -> Any:
    return parse_money(value)


def _money_or_string(value: object) -> Any:
    return parse_money(value, allow_string=True)


def _clearing(value: object) -> Any:
    return parse_choice(value, ("N", "Y"))


# The order is the staged column order.
FIELDS = [
    FieldSpec("companyCode", "company_code", _company_code, required=False, default=""),
    FieldSpec("sapDealerCode", "sap_dealer_code", _text),
    FieldSpec("invoinceId", "invoice_id", _text, aliases=("invoiceId",)),
    FieldSpec("openBalance", "open_balance", _money),
    FieldSpec("currency", "currency", parse_currency),
    FieldSpec("fiscalYear", "fiscal_year", _fiscal_year, required=False, default=""),
    FieldSpec("invoicingReference", "invoicing_reference", _optional_text, required=False, default=""),
    FieldSpec("clearingIdentification", "clearing_identification", _clearing, required=False, default=""),
    FieldSpec("clearAmount", "clear_amount", _money, required=False, default=None),
    FieldSpec("amountLC", "amount_lc", _money_or_string),
    FieldSpec("voucherNo", "voucher_no", _optional_text, required=False, default=""),
    FieldSpec("currencyLC", "currency_lc", parse_currency),
    FieldSpec("dueDate", "due_date", parse_date),
]
STAGED_COLUMNS = [*(spec.column for spec in FIELDS), "row_hash"]
_WIRE = [spec.wire for spec in FIELDS]
COMPANY_POSITION, DEALER_POSITION, ID_POSITION = (
    _WIRE.index("companyCode"),
    _WIRE.index("sapDealerCode"),
    _WIRE.index("invoinceId"),
)


def ap_balance_report_stage(*, body: IO[bytes], on_progress: Callable[[int], None] | None = None) -> StagedFile:
    """Validate a report (a JSON array, streamed) and stage its rows for COPY.

    Every row is checked; any error raises ValidationFailed (first 100 errors and
    the total count) and nothing is staged. A line is identified by company code,
    dealer and invoinceId, which must be unique within the report. An empty array
    is a valid report: nothing is open.
    """
    seen: set[str] = set()

    def check_row(index: int, values: list[Any], errors: ErrorCollector) -> list[Any] | None:
        key = f"{values[COMPANY_POSITION]}\x1f{values[DEALER_POSITION]}\x1f{values[ID_POSITION]}"
        if key in seen:
            errors.add(index, "invoinceId", DUPLICATE_LINE.format(value=values[ID_POSITION]))
            return None
        seen.add(key)
        return []

    return stage_report(
        body=body,
        kind=KIND,
        fields=FIELDS,
        check_row=check_row,
        finish=lambda errors: None,
        invalid_message=INVALID_REPORT,
        on_progress=on_progress,
    )


def ap_balance_import_queue(*, staged: StagedFile, enqueue: bool = True, **audit: Any) -> ImportJob:
    """Record the import job of a staged report (409 while another AP report is
    queued or running) and queue the snapshot switch. ``audit``: body,
    body_sha256, body_size, client, trace_id, source (see import_job_queue)."""
    from apps.ap_balance.tasks import apply_ap_balance_import

    return import_job_queue(
        kind=KIND, scope=SCOPE, staged=staged, task=apply_ap_balance_import, enqueue=enqueue, **audit
    )


def snapshot_totals(*, snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    """Rows and summed open balance per currency, computed by the database."""
    per_currency = (
        SnapshotLine.objects.filter(snapshot=snapshot)
        .values("currency")
        .annotate(rows=Count("id"), open_balance=Sum("open_balance"))
        .order_by("currency")
    )
    return {
        row["currency"]: {"rows": row["rows"], "openBalance": str(row["open_balance"].quantize(_FOUR_PLACES))}
        for row in per_currency
    }


def _apply_snapshot(job: ImportJob, progress: Callable[[int], None]) -> dict[str, int]:
    from apps.ap_balance.selectors import snapshot_compare_counts

    previous = Snapshot.objects.current().first()
    snapshot = Snapshot.objects.create(
        job=job, client_id=job.client_id, trace_id=job.trace_id, received_at=job.created_at
    )
    rows = copy_staged_rows(
        table=SnapshotLine._meta.db_table,
        columns=STAGED_COLUMNS,
        path=Path(settings.MEDIA_ROOT) / job.staged_path,
        extra={"snapshot_id": snapshot.pk},
        progress=progress,
    )
    snapshot.row_count = rows
    snapshot.totals = snapshot_totals(snapshot=snapshot)
    # Lower the old flag first: the partial unique index allows one current snapshot.
    Snapshot.objects.current().update(is_current=False)
    snapshot.is_current = True
    snapshot.save(update_fields=["row_count", "totals", "is_current"])
    counts = {"added": rows, "cleared": 0, "changed": 0}
    if previous is not None:
        counts = snapshot_compare_counts(before=previous, after=snapshot)
    return {**counts, "rows": rows, "snapshot": snapshot.pk}


def ap_snapshot_apply(*, job_id: int, on_progress: Callable[[int], None] | None = None) -> ImportJob | None:
    """Load the job's staged rows as a new snapshot and make it the current one.

    All in one transaction: readers see the previous current snapshot until the
    commit and the new one after; any failure rolls back and leaves the previous
    current snapshot (and every older one) exactly as it was. A job that is
    already finished is not applied again (returns None).
    """
    return import_job_run(job_id=job_id, apply=_apply_snapshot, on_progress=on_progress)


@transaction.atomic
def ap_snapshot_prune(*, keep: int) -> int:
    """Delete all but the ``keep`` newest snapshots (the current one always stays).
    Returns how many snapshots were deleted."""
    if keep < 1:
        raise ValidationFailed(_("keep must be at least 1."))
    kept = list(Snapshot.objects.order_by("-received_at", "-id").values_list("pk", flat=True)[:keep])
    doomed = Snapshot.objects.exclude(pk__in=kept).exclude(is_current=True)
    SnapshotLine.objects.filter(snapshot__in=doomed).delete()
    deleted, _details = doomed.delete()
    return deleted
