"""What one cell of an export holds.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is run as a formula by Excel, LibreOffice and Google Sheets when the CSV
is opened ("CSV injection"): in CSV such text gets a leading apostrophe (shown
by no spreadsheet, the text stays readable); in XLSX every text is written as a
string cell, never as a formula. Numbers and dates are not text and keep their
value."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.text import capfirst

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_text(text: str) -> str:
    """``text`` as a CSV cell that no spreadsheet runs as a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_text(value: Any) -> str:
    """A value as CSV text: exact decimals (no exponent), ISO dates, local
    date-times, and text neutralised."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise_text(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    return neutralise_text(str(value))


def xlsx_value(value: Any) -> Any:
    """A value as openpyxl takes it: numbers and dates as they are (aware
    date-times made local and naive: XLSX has no time zones), text as text."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.make_naive(timezone.localtime(value))
    if isinstance(value, str | int | float | Decimal | dt.date | dt.time) or value is None:
        return value
    return str(value)


@dataclass(frozen=True)
class Column:
    """One exported column: a human (translated, lazy) label, the value path
    for ``values_list`` and, for codes, the words the screen shows. ``kind``
    (text, decimal, date, datetime, integer; "" for any) picks a fast formatter."""

    label: Any
    path: str
    words: Mapping[Any, Any] | None = None
    convert: Callable[[Any], Any] | None = field(default=None)
    kind: str = ""

    def value(self, raw: Any) -> Any:
        if self.words is not None:
            return str(self.words.get(raw, raw)) if raw is not None else None
        if self.convert is not None:
            return self.convert(raw)
        return raw


KIND_BY_FIELD = {
    "CharField": "text", "TextField": "text", "DecimalField": "decimal", "DateField": "date",
    "DateTimeField": "datetime", "IntegerField": "integer", "PositiveIntegerField": "integer",
    "PositiveSmallIntegerField": "integer", "SmallIntegerField": "integer", "BigIntegerField": "integer",
    "PositiveBigIntegerField": "integer", "AutoField": "integer", "BigAutoField": "integer",
    "ForeignKey": "integer",
}  # fmt: skip


def _csv_expression(column: Column, index: int, namespace: dict[str, Any]) -> str:
    """The Python expression of one column's CSV text from the raw value ``v<index>``
    (names and indexes only: no data goes into the source)."""
    value = f"v{index}"
    if column.words is not None:
        namespace[f"W{index}"] = {code: neutralise_text(str(label)) for code, label in column.words.items()}
        return f"(W{index}[{value}] if {value} in W{index} else csv_text({value}))"
    if column.convert is not None:
        namespace[f"C{index}"] = column.convert
        return f"csv_text(C{index}({value}))"
    if column.kind == "text":
        return f"('' if {value} is None else (\"'\" + {value} if {value}.startswith(P) else {value}))"
    if column.kind == "decimal":
        return f"('' if {value} is None else format({value}, 'f'))"
    if column.kind == "date":
        return f"('' if {value} is None else {value}.isoformat())"
    if column.kind == "integer":
        return f"('' if {value} is None else str({value}))"
    return f"csv_text({value})"


def csv_row_formatter(columns: Sequence[Column]) -> Callable[[Sequence[Any]], list[str]]:
    """raw row (``values_list`` tuple) -> its CSV cells, neutralised.

    The function is generated once per export, one inline expression per column,
    because a function call per cell would halve the rows per second of a
    million-row export; words are translated once, not per row."""
    if not columns:
        return lambda raw: []
    namespace: dict[str, Any] = {"P": FORMULA_PREFIXES, "csv_text": csv_text}
    names = ", ".join(f"v{index}" for index in range(len(columns)))
    cells = ", ".join(_csv_expression(column, index, namespace) for index, column in enumerate(columns))
    source = f"def format_row(raw):\n    {names}, = raw\n    return [{cells}]\n"
    exec(compile(source, "<csv_row_formatter>", "exec"), namespace)  # noqa: S102 - generated from column kinds only
    return namespace["format_row"]  # type: ignore[no-any-return]


def _xlsx_formatter(column: Column) -> Callable[[Any], Any] | None:
    if column.words is not None:
        words = {code: str(label) for code, label in column.words.items()}
        return lambda raw: words[raw] if raw in words else xlsx_value(raw)
    if column.convert is not None:
        convert = column.convert
        return lambda raw: xlsx_value(convert(raw))
    if column.kind in ("text", "decimal", "date", "integer"):
        return None  # openpyxl takes the value as it is
    return xlsx_value


def xlsx_row_formatter(columns: Sequence[Column]) -> Callable[[Sequence[Any]], list[Any]]:
    """raw row -> its XLSX values (numbers, dates, text; codes as words)."""
    formatters = [_xlsx_formatter(column) for column in columns]
    if all(formatter is None for formatter in formatters):
        return list
    return lambda raw: [
        value if formatter is None else formatter(value) for formatter, value in zip(formatters, raw, strict=True)
    ]


def headers(columns: Sequence[Column]) -> list[str]:
    return [str(column.label) for column in columns]


def row_values(columns: Sequence[Column], raw: Sequence[Any]) -> list[Any]:
    return [column.value(value) for column, value in zip(columns, raw, strict=True)]


def field_columns(model: Any, names: Sequence[str]) -> list[Column]:
    """Columns labelled as the admin labels the fields (their verbose names, so
    the list and the export say the same thing), codes as their choices' words."""
    columns = []
    for name in names:
        model_field = model._meta.get_field(name)
        words = dict(model_field.flatchoices) if model_field.choices else None
        path = model_field.attname if model_field.is_relation else name
        kind = KIND_BY_FIELD.get(model_field.get_internal_type(), "")
        columns.append(Column(_CapFirst(model_field.verbose_name), path, words=words, kind=kind))
    return columns


class _CapFirst:
    """A lazy label, capitalised when rendered (in the language of the moment)."""

    def __init__(self, label: Any) -> None:
        self.label = label

    def __str__(self) -> str:
        return capfirst(str(self.label)) or ""
