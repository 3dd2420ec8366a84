"""Writes of the AP open-balance area: the importer of SAP's full report
(registered as kind ``ap_balance``; the pipeline is apps.core.importing). Each
import becomes a new snapshot, made current atomically; on PostgreSQL its
staged rows become the snapshot's own partition of the lines table."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from apps.ap_balance.models import Snapshot, SnapshotLine
from apps.core.exceptions import ValidationFailed
from apps.core.importing import partitions
from apps.core.importing.blocks import distinct_column
from apps.core.importing.registry import Importer, Report, register
from apps.core.importing.rows import ErrorCollector, FieldSpec, bounded_text, plausible_date
from apps.core.importing.staging import StageTable, quote
from apps.core.message_text import Msg
from apps.core.models import ImportJob
from apps.core.parsing import FieldError, money_parser, parse_choice, parse_currency

KIND = "ap_balance"
# Every report replaces the whole open balance: one scope, so two concurrent
# reports conflict (409) instead of racing to become current.
SCOPE = "current"

INVALID_REPORT = _("The AP open-balance report is invalid: {count} error(s).")
DUPLICATE_LINE = _("invoinceId {value} appears more than once for this dealer and company code.")
NOT_A_FISCAL_YEAR = _("Must be a four-digit year.")
_FOUR_PLACES = Decimal("0.0001")


def _text(column: str, *, required: bool = True) -> Callable[[object], str]:
    return bounded_text(SnapshotLine, column, required=required)


def _fiscal_year(value: object) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not (len(text) == 4 and text.isascii() and text.isdigit()):
        raise FieldError(NOT_A_FISCAL_YEAR)
    return text


_money = money_parser()
_money_or_string = money_parser(allow_string=True)


def _clearing(value: object) -> Any:
    return parse_choice(value, ("N", "Y"))


# The order is the staged column order.
FIELDS = [
    FieldSpec("companyCode", "company_code", _text("company_code", required=False), required=False, default=""),
    FieldSpec("sapDealerCode", "sap_dealer_code", _text("sap_dealer_code")),
    FieldSpec("invoinceId", "invoice_id", _text("invoice_id"), aliases=("invoiceId",)),
    FieldSpec("openBalance", "open_balance", _money),
    FieldSpec("currency", "currency", parse_currency),
    FieldSpec(
        "fiscalYear",
        "fiscal_year",
        _fiscal_year,
        required=False,
        default="",
        check_column=distinct_column(_fiscal_year, str),
    ),
    FieldSpec(
        "invoicingReference",
        "invoicing_reference",
        _text("invoicing_reference", required=False),
        required=False,
        default="",
    ),
    FieldSpec(
        "clearingIdentification",
        "clearing_identification",
        _clearing,
        required=False,
        default="",
        check_column=distinct_column(_clearing, str),
    ),
    FieldSpec("clearAmount", "clear_amount", _money, required=False, default=None),
    FieldSpec("amountLC", "amount_lc", _money_or_string),
    FieldSpec("voucherNo", "voucher_no", _text("voucher_no", required=False), required=False, default=""),
    FieldSpec("currencyLC", "currency_lc", parse_currency),
    FieldSpec("dueDate", "due_date", plausible_date),
]
_WIRE = [spec.wire for spec in FIELDS]
COMPANY_POSITION, DEALER_POSITION, ID_POSITION = (
    _WIRE.index("companyCode"),
    _WIRE.index("sapDealerCode"),
    _WIRE.index("invoinceId"),
)


EMPTY_NEEDS_ALLOW = _(
    "The report is empty: send ?allowEmpty=true (import_ap_balance --allow-empty) to record that nothing is open "
    "(it becomes the current snapshot)."
)
BAD_ALLOW_EMPTY = _("allowEmpty must be true or false.")


def parse_allow_empty(raw: object) -> bool:
    if raw in (None, "", False):
        return False
    if raw is True:
        return True
    value = str(raw).strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise ValidationFailed(
        BAD_ALLOW_EMPTY, errors=[{"index": 0, "field": "allowEmpty", "message": str(BAD_ALLOW_EMPTY)}]
    )


class ApBalanceReport(Report):
    """Rules across the rows of one report: a line is identified by company code,
    dealer and invoinceId, unique within the report. An empty report would make
    "nothing is open" current, so it needs ``?allowEmpty=true``."""

    scope = SCOPE

    def __init__(self, *, allow_empty: bool) -> None:
        self.allow_empty = allow_empty
        self.seen: set[str] = set()

    def check_row(self, index: int, values: list[Any], errors: ErrorCollector) -> list[Any] | None:
        key = f"{values[COMPANY_POSITION]}\x1f{values[DEALER_POSITION]}\x1f{values[ID_POSITION]}"
        if key in self.seen:
            errors.add(index, "invoinceId", Msg(DUPLICATE_LINE, value=values[ID_POSITION]))
            return None
        self.seen.add(key)
        return []

    def check_block(self, index: int, columns: Sequence[Sequence[str]]) -> list[list[str]] | None:
        """``check_row`` for a whole block (its columns as COPY text, each key's
        text its value): its lines' keys unique and new."""
        parts = zip(columns[COMPANY_POSITION], columns[DEALER_POSITION], columns[ID_POSITION], strict=True)
        keys = list(map("\x1f".join, parts))
        unique = set(keys)
        if len(unique) != len(keys) or not self.seen.isdisjoint(unique):
            return None
        self.seen |= unique
        return []

    def finish(self, *, rows: int, errors: ErrorCollector) -> None:
        if not rows and not errors and not self.allow_empty:
            errors.add(0, "allowEmpty", EMPTY_NEEDS_ALLOW)
            errors.raise_if_any(EMPTY_NEEDS_ALLOW)


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


class ApBalanceImporter(Importer):
    kind = KIND
    model = SnapshotLine
    fields = FIELDS
    invalid_message = INVALID_REPORT

    def start(self, *, params: Mapping[str, Any]) -> ApBalanceReport:
        return ApBalanceReport(allow_empty=parse_allow_empty(params.get("allowEmpty")))

    def apply(self, *, job: ImportJob, stage: StageTable, progress: Callable[[int], None]) -> dict[str, Any]:
        """Load the job's staged rows as a new snapshot and make it the current one.
        Readers see the previous current snapshot until the commit and the new one
        after; any failure leaves the previous current snapshot (and every older
        one) exactly as it was."""
        from apps.ap_balance.selectors import snapshot_compare_counts

        previous = Snapshot.objects.current().first()
        snapshot = Snapshot.objects.create(
            job=job, client_id=job.client_id, trace_id=job.trace_id, received_at=job.created_at
        )
        table = stage.target
        rows = job.progress_total
        if partitions.is_partitioned(table):
            partitions.add_constant_columns(stage.name, table, {"snapshot_id": snapshot.pk})
            partitions.build_indexes_like_parent(stage.name, table, progress=lambda share: progress(int(rows * share)))
            partitions.add_bound_check(stage.name, "snapshot_id", snapshot.pk)
            partitions.attach_partition(
                parent=table, stage=stage.name, value=snapshot.pk, name=f"{table}_s{snapshot.pk}"
            )
        else:
            columns = ", ".join(quote(c) for c in stage.columns)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {quote(table)} ({columns}, snapshot_id) SELECT {columns}, %s FROM {quote(stage.name)}",  # noqa: S608
                    [snapshot.pk],
                )
            stage.drop()
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


register(ApBalanceImporter())


@transaction.atomic
def ap_snapshot_prune(*, keep: int) -> int:
    """Delete all but the ``keep`` newest snapshots (the current one always stays).
    Returns how many snapshots were deleted."""
    if keep < 1:
        raise ValidationFailed(_("keep must be at least 1."))
    kept = list(Snapshot.objects.order_by("-received_at", "-id").values_list("pk", flat=True)[:keep])
    doomed = Snapshot.objects.exclude(pk__in=kept).exclude(is_current=True)
    table = SnapshotLine._meta.db_table
    if partitions.is_partitioned(table):  # a snapshot's lines are its own partition
        partitions.drop_tables(
            [name for pk in doomed.values_list("pk", flat=True) if (name := partitions.partition_for(table, pk))]
        )
    SnapshotLine.objects.filter(snapshot__in=doomed).delete()
    deleted, _details = doomed.delete()
    return deleted
