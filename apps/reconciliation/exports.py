"""Statements as spreadsheets for finance staff: CSV (one row per line, the
statement's columns repeated) and XLSX (one sheet per statement: its header,
then its lines and their totals). Amounts are written as exact decimals."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from apps.reconciliation.models import ReconciliationStatement, StatementLine

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


def _lines(statement: ReconciliationStatement) -> list[StatementLine]:
    return list(statement.lines.all())


def statements_csv(statements: Iterable[ReconciliationStatement]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([name for name, _ in STATEMENT_COLUMNS] + [name for name, _ in LINE_COLUMNS])
    for statement in statements:
        head = [getter(statement) for _, getter in STATEMENT_COLUMNS]
        for line in _lines(statement):
            writer.writerow(head + [_plain(getter(line)) for _, getter in LINE_COLUMNS])
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
            sheet.append([name, getter(statement)])
            sheet.cell(row=sheet.max_row, column=1).font = bold
        sheet.append([])
        sheet.append([name for name, _ in LINE_COLUMNS])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        lines = _lines(statement)
        for line in lines:
            # Decimal cells keep their exact value (openpyxl writes them as numbers).
            sheet.append([getter(line) for _, getter in LINE_COLUMNS])
        totals: list[Any] = []
        for name, getter in LINE_COLUMNS:
            if name in TOTAL_COLUMNS:
                values = [getter(line) for line in lines if getter(line) is not None]
                totals.append(sum(values, Decimal(0)) if values else None)
            else:
                totals.append("total" if name == "itemNo" else None)
        sheet.append(totals)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
    if not workbook.worksheets:
        workbook.create_sheet("empty")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
