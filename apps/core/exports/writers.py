"""CSV and XLSX writers whose memory does not grow with the number of rows."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, Any

from django.http import StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from apps.core.exports.cells import csv_text, xlsx_value

BOM = "\ufeff"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_BATCH_ROWS = 500


class _Echo:
    """A file-like object whose write returns what it was given (Django's
    streaming CSV recipe): csv.writer formats, the generator yields."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    formatter: Callable[[Sequence[Any]], list[str]] | None = None,
) -> Iterator[bytes]:
    """UTF-8 with a BOM (Excel then reads non-ASCII text right), one chunk per
    few hundred rows; every cell through ``formatter`` (default: ``csv_text``)."""
    writer = csv.writer(_Echo())
    yield (BOM + writer.writerow([csv_text(value) for value in header])).encode()
    if formatter is None:
        formatter = _csv_texts
    batch: list[str] = []
    for row in rows:
        batch.append(writer.writerow(formatter(row)))
        if len(batch) >= CSV_BATCH_ROWS:
            yield "".join(batch).encode()
            batch = []
    if batch:
        yield "".join(batch).encode()


def _csv_texts(row: Sequence[Any]) -> list[str]:
    return [csv_text(value) for value in row]


def safe_filename(filename: str, file_format: str) -> str:
    safe = "".join(char if (char.isascii() and char.isalnum()) or char in "-_." else "_" for char in filename)
    return f"{safe}.{file_format}"


def csv_streaming_response(
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    filename: str,
    formatter: Callable[[Sequence[Any]], list[str]] | None = None,
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_chunks(header, rows, formatter), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename, "csv")}"'
    return response


def xlsx_cells(sheet: WriteOnlyWorksheet, row: Sequence[Any]) -> list[Any]:
    """A row (values already through ``xlsx_value``) for a write-only sheet: text
    that openpyxl would store as a formula (it starts with "=") is forced to a
    string cell; everything else as is."""
    cells: list[Any] = []
    for value in row:
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            cells.append(cell)
        else:
            cells.append(value)
    return cells


def xlsx_write(
    target: str | IO[bytes],
    sheets: Iterable[tuple[str, Iterable[Sequence[Any]]]],
    *,
    progress: Callable[[int], None] | None = None,
    every: int = 5000,
) -> int:
    """Write ``sheets`` ((title, rows) pairs; the first row of each is its header;
    values as ``xlsx_value`` gives them) to ``target`` in write-only mode: rows go to a temporary file as they come.
    Returns the number of rows written; ``progress(rows)`` every ``every`` rows."""
    book = Workbook(write_only=True)
    written = 0
    for title, rows in sheets:
        sheet = book.create_sheet(title=title[:31] or "Sheet")
        for row in rows:
            sheet.append(xlsx_cells(sheet, row))
            written += 1
            if progress is not None and written % every == 0:
                progress(written)
    if not book.worksheets:
        book.create_sheet("empty")
    book.save(target)
    return written


def xlsx_append(sheet: Any, row: Sequence[Any]) -> None:
    """Append to an ordinary (styled) worksheet: text that openpyxl took for a
    formula is stored as the text it is."""
    sheet.append([xlsx_value(value) for value in row])
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"
