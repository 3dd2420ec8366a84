"""The shared field bounds (apps.core.bounds) derive each limit from the model field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from apps.core.bounds import DATE_MAX, DATETIME_MAX, DATETIME_MIN, BoundsError, field_bounds
from apps.core.models import ImportJob
from apps.reconciliation.models import ReconciliationStatement, StatementLine

NAME = field_bounds(ReconciliationStatement, "buyer_name")
QUANTITY = field_bounds(StatementLine, "quantity")
RATE = field_bounds(StatementLine, "tax_percent")
POSITION = field_bounds(StatementLine, "position")
START = field_bounds(ReconciliationStatement, "start_time")


def test_text_limit_is_the_column_length_and_the_error_names_field_and_row() -> None:
    assert NAME.max_length == 200
    assert NAME.text("x" * 200, field="buyCompanyName") == "x" * 200
    with pytest.raises(BoundsError) as caught:
        NAME.text("x" * 201, field="itemName", index=7)
    assert caught.value.as_error() == {"index": 7, "field": "itemName", "message": "At most 200 characters (got 201)."}
    assert caught.value.describe() == "itemName (row 7): At most 200 characters (got 201)."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a\x00b", "Must not contain a NUL character (at position 1)."),
        ("a\ud800", "Contains a character that cannot be stored (U+D800 at position 1): "),
        ("\udc00", "Contains a character that cannot be stored (U+DC00 at position 0): "),
        ("bell\x07", "Contains a character that cannot be stored (U+0007 at position 4): "),
        ("\uffff", "Contains a character that cannot be stored (U+FFFF at position 0): "),
    ],
)
def test_text_refuses_characters_no_column_or_reader_holds(text: str, message: str) -> None:
    with pytest.raises(BoundsError) as caught:
        NAME.text(text, field="buyCompanyName")
    assert str(caught.value.message).startswith(message)


def test_text_keeps_tabs_newlines_and_astral_characters() -> None:
    assert NAME.text("a\tb\nc\r😀 有限公司", field="n") == "a\tb\nc\r😀 有限公司"


def test_decimal_digits_and_places_come_from_the_decimal_field() -> None:
    largest = QUANTITY.largest_decimal()
    assert QUANTITY.decimal(largest) == largest
    if connection.vendor == "postgresql":
        assert largest == Decimal("9999999999999999.9999")
    else:  # SQLite keeps decimals as doubles: 15 significant digits
        assert largest == Decimal("99999999999.9999")
        with pytest.raises(BoundsError, match="At most 15 significant digits"):
            QUANTITY.decimal(Decimal("999999999999.9999"))
    assert QUANTITY.decimal(Decimal("10.50000")) == Decimal("10.5000")
    with pytest.raises(BoundsError, match="At most 16 digits before the decimal point"):
        QUANTITY.decimal(Decimal("10000000000000000"))
    with pytest.raises(BoundsError, match="At most 4 decimal places"):
        QUANTITY.decimal(Decimal("1.00001"))
    assert RATE.decimal(Decimal("9999.999999")) == Decimal("9999.999999")
    with pytest.raises(BoundsError, match="At most 4 digits"):
        RATE.decimal(10000)
    for not_a_number in (True, 1.5, "1", Decimal("NaN"), Decimal("Infinity"), None):
        with pytest.raises(BoundsError, match="Must be a number"):
            QUANTITY.decimal(not_a_number)
    assert QUANTITY.decimal(" 12.5 ", allow_string=True) == Decimal("12.5000")
    with pytest.raises(BoundsError):
        QUANTITY.decimal("1e999999", allow_string=True)


def test_integer_range_is_the_column_type() -> None:
    assert POSITION.integer(2147483647) == 2147483647
    for outside in (2147483648, -1):
        with pytest.raises(BoundsError, match="Must be between 0 and 2147483647"):
            POSITION.integer(outside)
    with pytest.raises(BoundsError, match="whole number"):
        POSITION.integer(True)
    assert field_bounds(ImportJob, "body_size").max_value == 9223372036854775807


@pytest.mark.parametrize(
    ("moment", "valid"),
    [
        (DATETIME_MAX, True),
        (DATETIME_MIN, True),
        (dt.datetime(9998, 12, 31, 12, tzinfo=dt.timezone(dt.timedelta(hours=14))), True),
        (dt.datetime(9998, 12, 31, 12, tzinfo=dt.UTC), False),
        (dt.datetime(9999, 12, 31, 23, tzinfo=dt.timezone(dt.timedelta(hours=-5))), False),
        (dt.datetime(9999, 12, 31, 0, tzinfo=dt.UTC), False),
        (dt.datetime(1, 1, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=5))), False),
        (dt.datetime(1, 1, 1, 23, 59, tzinfo=dt.UTC), False),
    ],
)
def test_datetimes_must_survive_conversion_to_any_time_zone(moment: dt.datetime, valid: bool) -> None:
    if valid:
        assert START.datetime(moment) == moment
        widest = dt.timedelta(hours=23, minutes=59)
        for offset in (-widest, widest):  # every such instant can be shown in any zone
            local = moment.astimezone(dt.timezone(offset))
            assert local.replace(year=local.year + 1) > local  # the admin's drill-down to the next year
    else:
        with pytest.raises(BoundsError, match="Must be between 0001-01-02T00:00:00Z and 9998-12-30T23:59:59Z"):
            START.datetime(moment, field="endTime")


def test_naive_datetimes_and_dates_past_the_edges_are_refused() -> None:
    with pytest.raises(BoundsError, match="time zone"):
        START.datetime(dt.datetime(2024, 1, 1))
    due = field_bounds(ImportJob, "created_at")
    assert due.kind == "datetime"


def test_narrowing_never_widens() -> None:
    positive = QUANTITY.narrowed(min_value=Decimal("0.0001"))
    assert positive.decimal(Decimal("0.0001")) == Decimal("0.0001")
    with pytest.raises(BoundsError, match=r"at least 0\.0001"):
        positive.decimal(0)
    assert NAME.narrowed(max_length=500).max_length == 200
    assert dt.date(9998, 12, 31) == DATE_MAX


def test_messages_are_translated() -> None:
    with translation.override("zh-hans"), pytest.raises(BoundsError) as caught:
        NAME.text("x" * 201, field="buyCompanyName")
    assert str(caught.value.message) == "最多 200 个字符（实际 201 个）。"
