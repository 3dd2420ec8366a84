"""Statements as spreadsheets for finance staff: CSV (one row per line, the
statement's columns repeated) and XLSX (one sheet per statement: its header,
then its lines and their totals); and a statement's match table. Amounts are
written as exact decimals."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font

from apps.core.exports.cells import csv_text
from apps.core.exports.writers import xlsx_append
from apps.reconciliation import messages
from apps.reconciliation.matching.pairing import NOTE_QUANTITY_DIFFERS_TOO
from apps.reconciliation.matching.records import NO_AMOUNTS, UNIT_NOT_CONVERTIBLE
from apps.reconciliation.models import MatchLine, ReconciliationStatement, StatementLine, StatementMatch

STATEMENT_COLUMNS = [
    ("reconciliationNo", lambda s: s.reconciliation_no),
    ("reconciliationUuid", lambda s: str(s.public_id)),
    ("status", lambda s: s.status),
    ("currency", lambda s: s.currency),
    ("startTime", lambda s: _iso(s.start_time)),
    ("endTime", lambda s: _iso(s.end_time)),
    ("buyCompanyName", lambda s: s.buyer_name),
    ("buyCompanyTaxId", lambda s: s.buyer_tax_id),
    ("supplierCompanyName", lambda s: s.supplier_name),
    ("supplierCompanyTaxId", lambda s: s.supplier_tax_id),
]
LINE_COLUMNS = [
    ("itemNo", lambda line: line.item_no),
    ("itemName", lambda line: line.item_name),
    ("specification", lambda line: line.specification),
    ("productNo", lambda line: line.product_no),
    ("quantity", lambda line: line.quantity),
    ("unit", lambda line: line.unit.code),
    ("unitPrice", lambda line: line.unit_price),
    ("amountWithoutTax", lambda line: line.amount_without_tax),
    ("taxPercent", lambda line: line.tax_percent),
    ("taxAmount", lambda line: line.tax_amount),
    ("amount", lambda line: line.amount),
    ("discount", lambda line: line.discount),
    ("buyerItemName", lambda line: line.buyer_item_name),
    ("buyerSpecification", lambda line: line.buyer_specification),
]
TOTAL_COLUMNS = ("amountWithoutTax", "taxAmount", "amount")


def _iso(moment: Any) -> str:
    return timezone.localtime(moment).isoformat(timespec="milliseconds") if moment else ""


def _plain(value: Any) -> Any:
    """Decimals without exponent or trailing zeros (4179.4300 -> 4179.43)."""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return "" if value is None else value


def _csv(value: Any) -> str:
    """A CSV cell: exact decimals, text neutralised against formulas."""
    return _plain(value) if isinstance(value, Decimal) else csv_text(value)


def _lines(statement: ReconciliationStatement) -> list[StatementLine]:
    return list(statement.lines.all())


def statements_csv(statements: Iterable[ReconciliationStatement]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([name for name, _ in STATEMENT_COLUMNS] + [name for name, _ in LINE_COLUMNS])
    for statement in statements:
        head = [_csv(getter(statement)) for _, getter in STATEMENT_COLUMNS]
        for line in _lines(statement):
            writer.writerow(head + [_csv(getter(line)) for _, getter in LINE_COLUMNS])
    return buffer.getvalue()


def _sheet_title(number: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", number)[:28] or "statement"
    title, counter = base, 1
    while title in used:
        counter += 1
        title = f"{base[:25]}~{counter}"
    used.add(title)
    return title


def statements_xlsx(statements: Iterable[ReconciliationStatement]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for statement in statements:
        sheet = workbook.create_sheet(_sheet_title(statement.reconciliation_no, used))
        for name, getter in STATEMENT_COLUMNS:
            xlsx_append(sheet, [name, getter(statement)])
            sheet.cell(row=sheet.max_row, column=1).font = bold
        xlsx_append(sheet, [])
        xlsx_append(sheet, [name for name, _ in LINE_COLUMNS])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        lines = _lines(statement)
        for line in lines:
            # Decimal cells keep their exact value (openpyxl writes them as numbers).
            xlsx_append(sheet, [getter(line) for _, getter in LINE_COLUMNS])
        totals: list[Any] = []
        for name, getter in LINE_COLUMNS:
            if name in TOTAL_COLUMNS:
                values = [getter(line) for line in lines if getter(line) is not None]
                totals.append(sum(values, Decimal(0)) if values else None)
            else:
                totals.append("total" if name == "itemNo" else None)
        xlsx_append(sheet, totals)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
    if not workbook.worksheets:
        workbook.create_sheet("empty")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the match table ------------------------------------------------------------------
# Written through the same download response as the statement export; columns
# carry human labels (translated), amounts exact decimals.

NOTE_TEXTS = {
    NOTE_QUANTITY_DIFFERS_TOO: messages.MATCH_QUANTITY_DIFFERS_TOO,
    UNIT_NOT_CONVERTIBLE: messages.MATCH_UNIT_NOT_CONVERTIBLE,
    NO_AMOUNTS: messages.MATCH_NO_AMOUNTS,
}


def _notes(row: MatchLine) -> str:
    parts = [str(NOTE_TEXTS[note]) for note in row.notes.split(",") if note in NOTE_TEXTS]
    if row.suggested and row.statement_line_id:
        parts.append(str(_("suggested: paired by name")))
    return " ".join(parts)


def _statement_value(name: str) -> Callable[[MatchLine], Any]:
    return lambda row: getattr(row.statement_line, name) if row.statement_line is not None else None


MATCH_COLUMNS: list[tuple[Any, Callable[[MatchLine], Any]]] = [
    (_("pairing"), lambda row: row.pairing),
    (_("status"), lambda row: str(row.get_status_display())),
    (_("itemNo"), _statement_value("item_no")),
    (_("product number"), _statement_value("product_no")),
    (_("product name (seller)"), _statement_value("item_name")),
    (_("quantity"), _statement_value("quantity")),
    (_("unit"), lambda row: row.statement_line.unit.code if row.statement_line is not None else None),
    (_("factor"), lambda row: row.factor),
    (_("statement quantity (our unit)"), lambda row: row.statement_quantity),
    (_("statement net"), lambda row: row.statement_net),
    (_("statement tax"), lambda row: row.statement_tax),
    (_("statement gross"), lambda row: row.statement_gross),
    (_("purchase number"), lambda row: row.purchase_number),
    (_("purchase line"), lambda row: row.purchase_line_number),
    (_("issued"), lambda row: row.purchase_issued_date.isoformat() if row.purchase_issued_date else None),
    (_("purchase currency"), lambda row: row.purchase_currency),
    (_("purchase product"), lambda row: row.purchase_product_code),
    (_("description"), lambda row: row.description),
    (_("purchase quantity"), lambda row: row.purchase_quantity),
    (_("rate"), lambda row: row.purchase_rate),
    (_("purchase net"), lambda row: row.purchase_net),
    (_("purchase VAT"), lambda row: row.purchase_tax),
    (_("purchase gross"), lambda row: row.purchase_gross),
    (_("quantity difference"), lambda row: row.quantity_difference),
    (_("net difference"), lambda row: row.net_difference),
    (_("tax difference"), lambda row: row.tax_difference),
    (_("gross difference"), lambda row: row.gross_difference),
    (_("notes"), _notes),
]


def _match_head(statement: ReconciliationStatement, match: StatementMatch) -> list[tuple[Any, Any]]:
    head: list[tuple[Any, Any]] = [
        (_("statement number"), statement.reconciliation_no),
        (_("supplier"), f"{statement.supplier_name} ({statement.supplier_tax_id})"),
        (_("match status"), str(match.get_status_display())),
        (_("matched at"), _iso(match.ran_at)),
        (_("currency compared"), match.currency),
    ]
    for prefix, label in [
        ("statement", _("statement")),
        ("purchases", _("purchases in scope")),
        ("paired", _("of which paired with statement lines")),
        ("difference", _("difference (statement minus purchases)")),
    ]:
        values = [getattr(match, f"{prefix}_{measure}") for measure in ("net", "tax", "gross")]
        head.append((label, " / ".join(f"{v:.2f}" if v is not None else "-" for v in values)))
    return head


def match_csv(statement: ReconciliationStatement, match: StatementMatch) -> str:
    """The match table, one row per row of the admin's table (no header block)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(label) for label, _getter in MATCH_COLUMNS])
    for row in match.lines.all():
        writer.writerow([_csv(getter(row)) for _label, getter in MATCH_COLUMNS])
    return buffer.getvalue()


def match_xlsx(statement: ReconciliationStatement, match: StatementMatch) -> bytes:
    """One sheet: the statement, status and totals, then the match table."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(statement.reconciliation_no, set())
    bold = Font(bold=True)
    for label, value in _match_head(statement, match):
        xlsx_append(sheet, [str(label), value])
        sheet.cell(row=sheet.max_row, column=1).font = bold
    xlsx_append(sheet, [])
    xlsx_append(sheet, [str(label) for label, _getter in MATCH_COLUMNS])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in match.lines.all():
        xlsx_append(sheet, [getter(row) for _label, getter in MATCH_COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
