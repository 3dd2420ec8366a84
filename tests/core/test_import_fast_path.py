"""The import's fast path (whole blocks checked column by column) accepts exactly
what the row path accepts and stages exactly the same text; anything it is not
sure of goes to the row path, which names the errors as before.

Each case validates one body twice, with and without the fast path, and
compares the staged COPY text, the errors (index, field, message) and any
refusal of the body itself. Blocks are made small (a low JSON_MAX_STRING_LENGTH)
so that one body spans many blocks, and the plain cases check that the fast path
really took blocks.
"""

from __future__ import annotations

import copy
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from apps.core.importing.pipeline import import_job_apply, import_report_submit
from apps.core.importing.registry import get_importer
from apps.core.importing.rows import RowValidator
from apps.core.importing.staging import CopyTextBlock, copy_line
from apps.invoices.models import Invoice
from tests.ap_balance.factories import rows as ap_rows
from tests.invoices.factories import rows as invoice_rows

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _small_blocks(settings: Any) -> None:
    settings.JSON_MAX_STRING_LENGTH = 16 * 1024  # 8 KiB blocks: about a dozen rows each


def _validate(body: bytes, *, fast: bool, params: dict[str, str], kind: str) -> dict[str, Any]:
    importer = get_importer(kind)
    report = importer.start(params=params)
    validator = RowValidator(
        fields=importer.fields, check_row=report.check_row, check_block=report.check_block if fast else None
    )
    lines: list[str] = []
    blocks = 0
    try:
        for item in validator.iter_valid(io.BytesIO(body)):
            if isinstance(item, CopyTextBlock):
                blocks += 1
                lines.append(item.text)
            else:
                lines.append(copy_line(item))
        report.finish(rows=validator.rows, errors=validator.errors)
        refused = ""
    except Exception as exc:  # the body itself refused: the same refusal either way
        refused = f"{type(exc).__name__}: {exc}"
    errors = [(e["index"], e["field"], str(e["message"])) for e in validator.errors.errors]
    return {
        "text": "".join(lines),
        "rows": validator.rows,
        "errors": errors,
        "count": validator.errors.count,
        "refused": refused,
        "blocks": blocks,
    }


def _both(
    body: bytes, params: dict[str, str] | None = None, kind: str = "invoices"
) -> tuple[dict[str, Any], dict[str, Any]]:
    params = ({"year": "2024"} if kind == "invoices" else {}) if params is None else params
    fast = _validate(body, fast=True, params=params, kind=kind)
    slow = _validate(body, fast=False, params=params, kind=kind)
    assert slow["blocks"] == 0
    assert {k: v for k, v in fast.items() if k != "blocks"} == {k: v for k, v in slow.items() if k != "blocks"}
    return fast, slow


def _body(rows: list[dict[str, Any]], **dumps: Any) -> bytes:
    return json.dumps(rows, **dumps).encode()


def _rows(n: int = 300) -> list[dict[str, Any]]:
    body = invoice_rows(n)
    for i, row in enumerate(body):  # amounts of every shape the wire allows
        row["amount"] = [1200.5, 17][i % 2]
        row["taxAmount"] = [" 200.00", "199.5", 18][i % 3]
        row["invoiceDate"] = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
    return body


def test_plain_report_is_taken_by_the_fast_path_and_stages_the_same_text():
    fast, _slow = _both(_body(_rows()))
    assert fast["rows"] == 300 and fast["count"] == 0
    assert fast["blocks"] >= 10  # nearly every block went the fast way


def test_pretty_printed_report_with_spaces_before_colons():
    text = json.dumps(_rows(60), indent=2).replace('":', '" :')
    fast, _slow = _both(text.encode())
    assert fast["rows"] == 60 and fast["blocks"] >= 1


def _one_row_changed(index: int, **changes: Any) -> list[dict[str, Any]]:
    body = _rows()
    body[index].update(changes)
    return body


@pytest.mark.parametrize(
    ("changes", "valid"),
    [
        ({"payer": "Müller GmbH"}, True),  # not ASCII
        ({"deliveryNote": "line\tbreak"}, True),  # an escape (a tab is allowed in text)
        ({"deliveryNote": "bell\x07"}, False),  # a control character
        ({"deliveryNote": "A:B, C:D"}, True),  # colons in a value
        ({"deliveryNote": '"quoted"'}, True),  # escaped quotes
        ({"deliveryNote": ""}, True),  # optional: empty is fine
        ({"deliveryNote": None}, False),  # but present
        ({"orderId": "   "}, False),  # blank
        ({"orderId": "x" * 65}, False),  # past the column
        ({"orderId": 12345}, False),  # a number where text is expected
        ({"deliveryNote": "x" * 300}, False),  # optional, but past its column
        ({"amount": 12.34567}, False),  # five places
        ({"amount": 10**16}, False),  # past 16 digits
        ({"amount": True}, False),
        ({"amount": "12.5"}, False),  # a string where only a number is allowed
        ({"taxAmount": "1e3"}, False),
        ({"taxAmount": "1_000"}, False),
        ({"taxRate": 1}, False),
        ({"taxRate": -0.1}, False),
        ({"taxRate": 0}, True),
        ({"reverseMark": True}, False),
        ({"reverseMark": 1}, True),
        ({"reverseMark": 1.0}, False),  # a number with a fraction is not the integer 1
        ({"reverseMark": 10**30}, False),  # past any integer column
        ({"reverseMark": "1"}, False),
        ({"invoiceType": "X"}, False),
        ({"currency": " eur "}, True),  # read as EUR
        ({"currency": "XAU"}, False),
        ({"dueDate": "2024-02-30"}, False),
        ({"dueDate": "00010101"}, False),  # outside the plausible window
        ({"invoiceDate": "2023-12-31"}, False),  # another year
        ({"orderItems": [{"itemNo": "10", "extra": 1}]}, True),  # staged without the extra key
        ({"orderItems": [{"itemNo": 10}]}, False),
        ({"orderItems": [{"itemNo": "1" * 33}]}, False),  # past 32 characters
        ({"orderItems": [{}]}, False),
        ({"orderItems": [None]}, False),
        ({"orderItems": []}, True),
        ({"orderItems": [[{"itemNo": "10"}]]}, False),
        ({"orderItems": {"itemNo": "10"}}, False),
        ({"unknownKey": {"deep": [1, 2, {"x": "y"}]}}, True),  # an unknown key is ignored
        ({"invoiceId": None}, False),  # "duplicate": replaced by an earlier row's id below
    ],
)
def test_one_odd_row_gets_the_row_paths_answer(changes, valid):
    body = _one_row_changed(150, **changes)
    if "invoiceId" in changes:
        body[150]["invoiceId"] = body[5]["invoiceId"]
    fast, _slow = _both(_body(body))
    assert (fast["count"] == 0) is valid, fast["errors"]
    if not valid:
        assert fast["errors"][0][0] == 150


def test_a_missing_optional_key_and_a_row_that_is_not_an_object():
    body = _rows()
    del body[40]["deliveryNote"]
    body[200] = ["not", "an", "object"]  # type: ignore[call-overload]
    fast, _slow = _both(_body(body))
    assert [(index, field) for index, field, _ in fast["errors"]] == [(40, "deliveryNote"), (200, "")]


def test_a_duplicate_invoice_id_in_a_later_block_is_named_at_its_row():
    body = _rows()
    body[290]["invoiceId"] = body[3]["invoiceId"]
    fast, _slow = _both(_body(body))
    assert [(index, field) for index, field, _ in fast["errors"]] == [(290, "invoiceId")]


def test_a_report_spanning_two_years_without_a_year_parameter():
    body = _rows()
    for row in body[200:]:
        row["invoiceDate"] = "2025-03-01"
    fast, _slow = _both(_body(body), params={})
    assert fast["refused"] and fast["errors"][0][0] == 200


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        # a key repeated: the guard refuses the body
        (lambda body: body.replace(b'"billTo": ', b'"billTo": "1", "billTo": ', 1), "JsonDuplicateKey"),
        # nested past the depth limit inside orderItems
        (
            lambda body: body.replace(b'[{"itemNo": "000010"}]', b"[" * 70 + b'{"itemNo": "000010"}' + b"]" * 70, 1),
            "JsonTooDeep",
        ),
        # a lone surrogate
        (lambda body: body.replace(b'"A1"', b'"\\ud800"', 1), "JsonLoneSurrogate"),
        # braces inside a string: counted as containers, so the row path reads the block
        (lambda body: body.replace(b'"A1"', b'"{[A1]}"', 1), ""),
    ],
)
def test_hostile_text_in_a_later_block_gets_the_guards_answer(text, refused):
    plain = _body(_rows())
    changed = text(plain[len(plain) // 2 :])
    assert changed != plain[len(plain) // 2 :]
    fast, _slow = _both(plain[: len(plain) // 2] + changed)
    assert fast["refused"].startswith(refused) and fast["count"] == 0
    if not refused:
        assert fast["rows"] == 300


def _submit_and_apply(body: list[dict[str, Any]]) -> Any:
    submitted = import_report_submit(
        kind="invoices",
        body=io.BytesIO(_body(body)),
        params={"year": "2024"},
        body_sha256="0" * 64,
        body_size=0,
        enqueue=False,
    )
    job = import_job_apply(job_id=submitted.job.pk)
    assert job is not None and job.status == "succeeded", job and job.message
    return job


def test_a_fast_imported_year_reads_back_exactly():
    body = _rows()
    _submit_and_apply(body)
    assert Invoice.objects.filter(year=2024).count() == 300
    for i in (0, 1, 2, 151, 299):
        row = copy.deepcopy(body[i])
        invoice = Invoice.objects.get(invoice_id=row["invoiceId"])
        assert invoice.amount == Decimal(str(row["amount"]))
        assert invoice.tax_amount == Decimal(str(row["taxAmount"]).strip())
        assert invoice.invoice_date.isoformat() == row["invoiceDate"]
        assert invoice.order_items == row["orderItems"]
    assert connection.vendor == "postgresql"


def test_negative_zero_is_the_amount_zero_on_both_paths_and_counts_as_unchanged():
    body = _rows()
    for row in body:
        row["amount"], row["taxAmount"] = 0, "0"
    _submit_and_apply(body)
    for row in body:
        row["amount"], row["taxAmount"] = -0.0, " -0.00 "
    fast, _slow = _both(_body(body))
    assert fast["blocks"] >= 10 and "-0.0000" not in fast["text"] and "\t0.0000\t0.0000\t" in fast["text"]
    body[5]["payer"] = "Müller GmbH"  # one block the row path reads
    job = _submit_and_apply(body)
    assert job.counts == {"added": 0, "removed": 0, "changed": 1, "rows": 300}
    assert str(Invoice.objects.get(invoice_id=body[7]["invoiceId"]).amount) == "0.0000"


def _ap_rows(n: int = 300) -> list[dict[str, Any]]:
    body = ap_rows(n)
    for i, row in enumerate(body):
        row["amountLC"] = ["100.00", 100, 99.5][i % 3]  # numbers and numeric strings mixed
        row["clearAmount"] = [0, None, 12.25][i % 3]  # optional: null is the default
        row["companyCode"] = ["1000", "2000", None][i % 3]
        row["clearingIdentification"] = ["N", "Y", None][i % 3]
    return body


def test_ap_report_is_taken_by_the_fast_path_with_nulls_and_mixed_amounts():
    fast, _slow = _both(_body(_ap_rows()), kind="ap_balance")
    assert fast["rows"] == 300 and fast["count"] == 0 and fast["blocks"] >= 10


@pytest.mark.parametrize(
    ("changes", "valid"),
    [
        ({"invoinceId": None}, False),  # replaced by an earlier line's key below
        ({"fiscalYear": "24"}, False),
        ({"fiscalYear": None}, True),
        ({"clearingIdentification": "X"}, False),
        ({"amountLC": "12.345678"}, False),
        ({"openBalance": None}, False),
        ({"invoiceId": "alias", "invoinceId": None}, True),  # the alias, read by the row path
    ],
)
def test_odd_ap_lines_get_the_row_paths_answer(changes, valid):
    body = _ap_rows()
    body[150].update(changes)
    if changes == {"invoinceId": None}:
        body[150].update({key: body[3][key] for key in ("companyCode", "sapDealerCode", "invoinceId")})
    fast, _slow = _both(_body(body), kind="ap_balance")
    assert (fast["count"] == 0) is valid, fast["errors"]


def test_a_string_limit_below_the_column_lengths_is_the_guards_answer_in_any_block(settings):
    settings.JSON_MAX_STRING_LENGTH = 60  # shorter than invoiceId's column (64)
    body = _rows(40)
    body[30]["invoiceId"] = "9" * 64
    fast, _slow = _both(_body(body))
    assert fast["refused"].startswith("JsonStringTooLong") and "[30].invoiceId" in fast["refused"]


def test_rows_opening_with_different_keys_and_lists_of_several_items():
    # Row cuts are tried first where the next row opens like the first one; rows
    # whose key order differs, and orderItems of several items (gaps "}, {" inside
    # a row), must still be cut only between rows.
    body = _rows()
    for i, row in enumerate(body):
        row["orderItems"] = [{"itemNo": f"{10 * k:06d}"} for k in range(1, 2 + i % 4)]
        if i % 3 == 1:
            body[i] = dict(reversed(list(row.items())))
    fast, _slow = _both(_body(body))
    assert fast["rows"] == 300 and fast["count"] == 0 and fast["blocks"] >= 10


def test_trailing_zeros_past_the_places_and_an_exponent_are_read_as_the_row_path_reads_them():
    text = _body(_rows(60)).decode()
    assert '"amount": 1200.5,' in text
    fast, _slow = _both(text.replace('"amount": 1200.5,', '"amount": 1200.500000,').encode())
    assert fast["rows"] == 60 and fast["blocks"] >= 1 and "\t1200.5000\t" in fast["text"]
    fast, _slow = _both(text.replace('"amount": 1200.5,', '"amount": 1.2005e3,', 1).encode())
    assert fast["rows"] == 60 and "\t1200.5000\t" in fast["text"]


def test_each_report_reads_its_dates_against_the_window_of_its_own_time(settings):
    """The fast path remembers the dates of one report only: a narrower window
    set between two reports refuses what the first one accepted."""
    body = _body(_rows(60))
    first, _slow = _both(body)
    assert first["count"] == 0 and first["blocks"] >= 1
    settings.KDP_EARLIEST_DATE = "2024-06-01"
    second, _slow = _both(body)
    assert second["count"] >= 60  # every row's dueDate (2024-04-15) is before the window now
    assert (0, "dueDate", "Must be between 2024-06-01 and 2099-12-31 (the plausible dates of a report).") in second[
        "errors"
    ]


def test_a_row_longer_than_a_block_is_read_whole_and_named_at_its_row(settings):
    settings.JSON_MAX_STRING_LENGTH = 1024 * 1024  # 64 KiB blocks, the production size
    body = _rows(2000)
    body[1500]["deliveryNote"] = "x" * 200_000  # one row of three blocks; the guard allows it, the column not
    fast, _slow = _both(_body(body))
    assert fast["count"] == 1 and fast["errors"][0][:2] == (1500, "deliveryNote")
    body[1500]["deliveryNote"] = "ok"
    fast, _slow = _both(_body(body))
    assert fast["rows"] == 2000 and fast["count"] == 0 and fast["blocks"] >= 15
