"""The ageing report as finance staff download it: CSV and XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from apps.ap_balance.selectors import AGEING_AMOUNT_KEYS
from apps.core.exports.cells import csv_text
from apps.core.exports.writers import xlsx_append


def ageing_headers() -> list[str]:
    return [
        _("Dealer"), _("Currency"), _("Not yet due"), _("1-30 days"), _("31-60 days"), _("61-90 days"),
        _("Over 90 days"), _("Total"),
    ]  # fmt: skip


FOUR_PLACES = Decimal("0.0001")


def _amounts(row: dict[str, Any]) -> list[Decimal]:
    # Sums of amounts stored with 4 places are exact at 4 places: the quantize only
    # fixes the scale (SQLite returns 511 where PostgreSQL returns 511.0000).
    return [Decimal(row[key]).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP) for key in AGEING_AMOUNT_KEYS]


def ageing_table(rows: Iterable[dict[str, Any]], totals: Iterable[dict[str, Any]]) -> list[list[Any]]:
    """Dealer rows, then one total row per currency (dealer column "Total")."""
    table = [[row["sap_dealer_code"], row["currency"], *_amounts(row)] for row in rows]
    table += [[_("Total"), row["currency"], *_amounts(row)] for row in totals]
    return table


def ageing_csv(table: list[list[Any]], *, title: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in [title, ageing_headers(), *table]:
        writer.writerow([csv_text(value) for value in row])
    return out.getvalue().encode("utf-8-sig")


def ageing_xlsx(table: list[list[Any]], *, title: list[str], as_of: dt.date) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = f"Ageing {as_of.isoformat()}"
    xlsx_append(sheet, title)
    xlsx_append(sheet, ageing_headers())
    for row in table:
        xlsx_append(sheet, row)  # Decimal cells are written as numbers
        for cell in sheet[sheet.max_row][2:]:
            cell.number_format = "#,##0.00##"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
