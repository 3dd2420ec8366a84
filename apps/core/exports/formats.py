"""django-import-export's CSV and XLSX formats with finhub's export rules: text
that a spreadsheet would run as a formula is neutralised (``cells``), XLSX text
is written as string cells. (import-export's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT
only strips a leading "=", turns every value into text and leaves + - @ alone.)
Imports read files as before."""

from __future__ import annotations

import io
from typing import Any

from import_export.formats.base_formats import CSV, XLSX

from apps.core.exports.cells import neutralise_text, xlsx_value
from apps.core.exports.writers import xlsx_write


class SafeCSV(CSV):
    def export_data(self, dataset: Any, **kwargs: Any) -> str:
        safe = dataset.__class__(headers=dataset.headers)
        for row in dataset:
            safe.append([neutralise_text(value) if isinstance(value, str) else value for value in row])
        return super(CSV, self).export_data(safe, **kwargs)  # type: ignore[no-any-return]


class SafeXLSX(XLSX):
    def export_data(self, dataset: Any, **kwargs: Any) -> bytes:
        target = io.BytesIO()
        rows = [list(dataset.headers or []), *([xlsx_value(value) for value in row] for row in dataset)]
        xlsx_write(target, [(dataset.title or "Sheet", rows)])
        return target.getvalue()
