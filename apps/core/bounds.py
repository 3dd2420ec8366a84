"""Field bounds: what a value may be so that the column and every reader can hold it.

One place derives a field's limits from its model field, so that a wire format,
a management command and an admin form all refuse the same values, at the door,
with a clear message, instead of a database error in a worker or a 500 in a
reader later.

What is checked, and where each rule comes from:

- **text** (``CharField``, ``TextField``; ``max_length`` from the model field,
  a ``TextField`` needs one too): at most ``max_length`` characters; no NUL
  (PostgreSQL text cannot hold it); no other C0 control character than tab, LF
  and CR, no lone surrogate (``\\ud800``..``\\udfff``, not UTF-8, so no database
  or file stores it) and no U+FFFE / U+FFFF (the XML of ``/v2`` and the XLSX
  exports cannot hold them).
- **decimal** (``DecimalField``): finite; at most ``decimal_places`` places
  (more is an error, never a silent rounding: the money rule of the specs);
  at most ``max_digits - decimal_places`` digits before the point. A numeric
  string is accepted only where the wire format allows it. On SQLite (the
  embedded default), which keeps such a column as a double, at most 15
  significant digits, the most a double holds exactly; ``largest_decimal()``
  says what fits on the database in use.
- **integer** (``SmallIntegerField``, ``IntegerField``, ``BigIntegerField``, their
  positive variants): within the column type's range (Django's portable table,
  which is PostgreSQL's); never a bool.
- **date** (``DateField``): ``DATE_MIN`` .. ``DATE_MAX`` (0001-01-02 ..
  9998-12-31), so that a reader may step a day back (a "before" filter is
  "< the next day") or a year forward (the admin's date drill-down goes from a
  year to the next one) within Python's date range.
- **datetime** (``DateTimeField``): time-zone aware, from ``DATETIME_MIN`` to
  ``DATETIME_MAX`` (0001-01-02T00:00Z .. 9998-12-30T23:59:59.999999Z): every
  such instant can be shown in any time zone (offsets up to ±24 h) and its local
  year stepped forward by one without leaving Python's datetime range.
  ``9999-12-31T23:00:00-05:00`` (year 10000 in UTC) is refused: PostgreSQL
  would store it and every reader would fail.

A caller may narrow a bound (a business rule: a plausible invoice date window,
a positive quantity) with ``FieldBounds.narrowed``, never widen it.

Use::

    from apps.core.bounds import BoundsError, field_bounds

    NAME = field_bounds(ReconciliationStatement, "buyer_name")
    try:
        name = NAME.text(raw, field="buyCompanyName")              # one object
        qty = field_bounds(StatementLine, "quantity").decimal(raw_qty, field="quantity", index=3)  # row 3
    except BoundsError as exc:
        exc.field, exc.index, exc.message     # "quantity", 3, a translatable message
        exc.as_error()                        # {"index": 3, "field": "quantity", "message": "..."}

``BoundsError`` is a ``apps.core.parsing.FieldError``, so the import pipeline's
row validation (``FieldSpec.parse``) takes a bound check as it is. Form fields
take ``FieldBounds.form_validators()`` (and ``max_length``) so that the admin
refuses the same values. Messages are translated (zh_Hans in apps/core/locale).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext_lazy as _

from apps.core.parsing import SQLITE_DECIMAL_DIGITS, TOO_MANY_SIGNIFICANT_DIGITS, FieldError

DATE_MIN = dt.date(1, 1, 2)
DATE_MAX = dt.date(9998, 12, 31)
DATETIME_MIN = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
DATETIME_MAX = dt.datetime(9998, 12, 30, 23, 59, 59, 999999, tzinfo=dt.UTC)

# C0 controls but TAB, LF, CR; lone surrogates; the two non-characters XML refuses.
INVALID_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

NOT_A_STRING = _("Must be a string.")
REQUIRED = _("This field is required.")
BLANK = _("This field may not be blank.")
TOO_LONG = _("At most {max} characters (got {length}).")
NUL_CHARACTER = _("Must not contain a NUL character (at position {position}).")
INVALID_CHARACTER = _(
    "Contains a character that cannot be stored (U+{code:04X} at position {position}): "
    "a control character, a lone surrogate or a non-character."
)
NOT_A_NUMBER = _("Must be a number.")
NOT_A_NUMBER_OR_STRING = _("Must be a number or a numeric string.")
TOO_MANY_PLACES = _("At most {places} decimal places.")
TOO_MANY_DIGITS = _("At most {digits} digits before the decimal point.")
NOT_AN_INTEGER = _("Must be a whole number.")
INTEGER_RANGE = _("Must be between {low} and {high}.")
BELOW_MINIMUM = _("Must be at least {low}.")
ABOVE_MAXIMUM = _("Must be at most {high}.")
NOT_A_DATE = _("Must be a date.")
NOT_A_DATETIME = _("Must be a date-time with a time zone.")
DATE_RANGE = _("Must be between {low} and {high}.")
AT_ROW = _("{field} (row {index}): {message}")
AT_FIELD = _("{field}: {message}")


_NUMERIC_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class BoundsError(FieldError):
    """A value outside its field's bounds. ``field`` is the wire name (or path),
    ``index`` the row of a batch (None for a single object)."""

    def __init__(self, message: object, *, field: str = "", index: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.index = index

    def as_error(self) -> dict[str, Any]:
        """The ``{index, field, message}`` shape every envelope lists errors in."""
        return {"index": self.index or 0, "field": self.field, "message": str(self.message)}

    def describe(self) -> str:
        """One line naming the field (and the row): for commands and admin messages."""
        if self.index is not None:
            return str(AT_ROW.format(field=self.field, index=self.index, message=self.message))
        return str(AT_FIELD.format(field=self.field, message=self.message))


def invalid_character(text: str) -> BoundsError | None:
    """The error for the first character no column or reader can hold, or None."""
    found = INVALID_TEXT.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return BoundsError(NUL_CHARACTER.format(position=found.start()))
    return BoundsError(INVALID_CHARACTER.format(code=ord(found.group()), position=found.start()))


@dataclass(frozen=True)
class FieldBounds:
    """The limits of one model field. Build with ``field_bounds(Model, "name")``."""

    name: str
    kind: str  # "text" | "decimal" | "integer" | "date" | "datetime"
    max_length: int | None = None
    max_digits: int | None = None
    decimal_places: int | None = None
    min_value: Any = None
    max_value: Any = None

    def narrowed(self, *, min_value: Any = None, max_value: Any = None, max_length: int | None = None) -> FieldBounds:
        """The same bounds with a business rule on top; a bound is never widened."""
        changes: dict[str, Any] = {}
        if min_value is not None:
            changes["min_value"] = min_value if self.min_value is None else max(min_value, self.min_value)
        if max_value is not None:
            changes["max_value"] = max_value if self.max_value is None else min(max_value, self.max_value)
        if max_length is not None:
            changes["max_length"] = max_length if self.max_length is None else min(max_length, self.max_length)
        return replace(self, **changes)

    # --- text -------------------------------------------------------------------

    def text(
        self,
        value: object,
        *,
        field: str = "",
        index: int | None = None,
        required: bool = True,
        blank: bool = False,
        strip: bool = True,
    ) -> str:
        """A string that fits the column: ``required`` refuses None, ``blank`` allows
        "" (after stripping when ``strip``). None becomes "" when not required."""
        if value is None:
            if required:
                raise BoundsError(REQUIRED, field=field, index=index)
            return ""
        if not isinstance(value, str):
            raise BoundsError(NOT_A_STRING, field=field, index=index)
        if strip:
            value = value.strip()
        self.check_text(value, field=field, index=index)
        if not value and not blank:
            raise BoundsError(BLANK, field=field, index=index)
        return value

    def check_text(self, value: str, *, field: str = "", index: int | None = None) -> str:
        """Length and characters only (for values already known to be strings)."""
        bad = invalid_character(value)
        if bad is not None:
            bad.field, bad.index = field, index
            raise bad
        if self.max_length is not None and len(value) > self.max_length:
            raise BoundsError(TOO_LONG.format(max=self.max_length, length=len(value)), field=field, index=index)
        return value

    # --- numbers ----------------------------------------------------------------

    def decimal(
        self,
        value: object,
        *,
        field: str = "",
        index: int | None = None,
        allow_string: bool = False,
        as_sent: bool = False,
    ) -> Decimal:
        """A JSON number (int or Decimal, never bool or float), or a numeric string
        with ``allow_string``, exact at the column's places and within its digits.
        Returned at exactly the column's places (1200.0 and 1200.00 compare and
        digest alike), or with ``as_sent`` as sent (for messages that echo it)."""
        if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
            raise BoundsError(NOT_A_NUMBER_OR_STRING if allow_string else NOT_A_NUMBER, field=field, index=index)
        if isinstance(value, str):
            text = value.strip()
            if not allow_string or not _NUMERIC_TEXT.fullmatch(text):
                raise BoundsError(NOT_A_NUMBER_OR_STRING if allow_string else NOT_A_NUMBER, field=field, index=index)
            value = text
        places = self.decimal_places or 0
        integer_digits = (self.max_digits or 0) - places
        try:
            number = Decimal(value)
        except (InvalidOperation, ValueError):  # int too long for Decimal's context never happens; be safe
            raise BoundsError(NOT_A_NUMBER, field=field, index=index) from None
        if not number.is_finite():
            raise BoundsError(NOT_A_NUMBER, field=field, index=index)
        if number and number.adjusted() >= integer_digits:
            raise BoundsError(TOO_MANY_DIGITS.format(digits=integer_digits), field=field, index=index)
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)  # noqa: S101 - finite numbers have an int exponent
        quantum = Decimal(1).scaleb(-places)
        # 10.50000 is 10.5; 10.12345 is more precision than the column holds.
        if exponent < -places and number != number.quantize(quantum):
            raise BoundsError(TOO_MANY_PLACES.format(places=places), field=field, index=index)
        if (
            connection.vendor == "sqlite"
            and number
            and len(number.normalize().as_tuple().digits) > SQLITE_DECIMAL_DIGITS
        ):
            raise BoundsError(
                TOO_MANY_SIGNIFICANT_DIGITS.format(digits=SQLITE_DECIMAL_DIGITS), field=field, index=index
            )
        self._check_range(number, field=field, index=index)
        if as_sent and exponent >= -places:
            return number
        return number.quantize(quantum)

    def largest_decimal(self) -> Decimal:
        """The largest value the column holds on the database in use (for tests and
        documentation): 9999999999999999.9999 for (20, 4) on PostgreSQL."""
        places = self.decimal_places or 0
        digits = (self.max_digits or 0) - places
        if connection.vendor == "sqlite":
            digits = min(digits, SQLITE_DECIMAL_DIGITS - places)
        return (Decimal(10) ** digits - Decimal(1).scaleb(-places)).quantize(Decimal(1).scaleb(-places))

    def integer(self, value: object, *, field: str = "", index: int | None = None) -> int:
        """A JSON integer (an integral Decimal such as 3.0 too), never a bool, within the column."""
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise BoundsError(NOT_AN_INTEGER, field=field, index=index)
        if (self.min_value is not None and value < self.min_value) or (
            self.max_value is not None and value > self.max_value
        ):
            raise BoundsError(INTEGER_RANGE.format(low=self.min_value, high=self.max_value), field=field, index=index)
        return value

    def _check_range(self, value: Any, *, field: str, index: int | None) -> None:
        if self.min_value is not None and value < self.min_value:
            raise BoundsError(BELOW_MINIMUM.format(low=self.min_value), field=field, index=index)
        if self.max_value is not None and value > self.max_value:
            raise BoundsError(ABOVE_MAXIMUM.format(high=self.max_value), field=field, index=index)

    # --- dates --------------------------------------------------------------------

    def date(self, value: object, *, field: str = "", index: int | None = None) -> dt.date:
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise BoundsError(NOT_A_DATE, field=field, index=index)
        if value < self.min_value or value > self.max_value:
            raise BoundsError(DATE_RANGE.format(low=self.min_value, high=self.max_value), field=field, index=index)
        return value

    def datetime(self, value: object, *, field: str = "", index: int | None = None) -> dt.datetime:
        """An aware datetime within the range every time zone can show, returned in
        UTC. Comparing aware datetimes never converts them, so an instant past year
        9999 in UTC is refused here without overflowing."""
        if not isinstance(value, dt.datetime) or value.utcoffset() is None:
            raise BoundsError(NOT_A_DATETIME, field=field, index=index)
        if value < self.min_value or value > self.max_value:
            raise BoundsError(
                DATE_RANGE.format(low=_iso(self.min_value), high=_iso(self.max_value)), field=field, index=index
            )
        # In UTC: ISO 8601 allows offsets up to ±23:59, PostgreSQL only up to ±15:59.
        return value.astimezone(dt.UTC)

    # --- forms ----------------------------------------------------------------------

    def form_validators(self) -> list[Any]:
        """Validators for a Django form field holding this value (the admin's forms)."""
        bounds = self

        def validate(value: Any) -> None:
            if value in (None, ""):
                return
            try:
                if bounds.kind == "text":
                    bounds.check_text(value)
                elif bounds.kind == "decimal":
                    bounds.decimal(value)
                elif bounds.kind == "integer":
                    bounds.integer(value)
                elif bounds.kind == "date":
                    bounds.date(value)
                elif bounds.kind == "datetime":
                    bounds.datetime(value)
            except BoundsError as exc:
                raise ValidationError(str(exc.message), code="bounds") from None

        return [validate]


def _iso(moment: dt.datetime) -> str:
    # isoformat, not strftime: %Y writes year 1 as "1" on glibc.
    return moment.astimezone(dt.UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


@lru_cache(maxsize=512)
def field_bounds(model: type[models.Model], name: str) -> FieldBounds:
    """The bounds of ``model.name`` derived from its field. Raises TypeError for a
    field kind it does not know (add it here rather than guess at the caller)."""
    field = model._meta.get_field(name)
    if isinstance(field, models.CharField | models.TextField):
        if field.max_length is None:
            raise TypeError(f"{model.__name__}.{name} needs a max_length to be bounded")
        return FieldBounds(name=name, kind="text", max_length=field.max_length)
    if isinstance(field, models.DecimalField):
        return FieldBounds(name=name, kind="decimal", max_digits=field.max_digits, decimal_places=field.decimal_places)
    if isinstance(field, models.IntegerField):  # every integer type, positive ones included
        low, high = BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]
        return FieldBounds(name=name, kind="integer", min_value=low, max_value=high)
    if isinstance(field, models.DateTimeField):
        return FieldBounds(name=name, kind="datetime", min_value=DATETIME_MIN, max_value=DATETIME_MAX)
    if isinstance(field, models.DateField):
        return FieldBounds(name=name, kind="date", min_value=DATE_MIN, max_value=DATE_MAX)
    raise TypeError(f"{model.__name__}.{name}: no bounds for {type(field).__name__}")
