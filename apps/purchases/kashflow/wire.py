"""What every /v2 resource shares on the wire: KashFlow's dates and amounts,
case-insensitive body keys, request validation into KashFlow's error, and the
pieces of the OpenAPI description (tag, error responses, the Idempotency-Key
header, the error and MetaData shapes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import serializers

from apps.core.bounds import DATE_MAX, DATE_MIN, BoundsError, field_bounds
from apps.purchases.kashflow.base import KashflowError, _drf_field_errors

MAX_INT = 2_147_483_647
CENT = Decimal("0.01")
FOUR = Decimal("0.0001")


def money(value: Decimal) -> Decimal:
    """2 places when that loses nothing (195.0800 -> 195.08), else as stored."""
    short = value.quantize(CENT)
    return short if short == value else value


def rate4(value: Decimal) -> Decimal:
    short = value.quantize(FOUR)
    return short if short == value else value


def kf_date(value: dt.date | None) -> str | None:
    """KashFlow writes dates as ``2014-01-10 12:00:00`` (a date, shown at noon)."""
    return None if value is None else f"{value.isoformat()} 12:00:00"


def kf_datetime(value: dt.datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


@extend_schema_field({"type": "string", "example": "2014-01-10 12:00:00"})
class KfDateField(serializers.Field):
    """Accepts ``2014-01-10 12:00:00``, ISO 8601 (``2014-01-10T12:00:00Z``) and a bare date."""

    default_error_messages = {"invalid": "Dates are written 2014-01-10 12:00:00, ISO 8601 or 2014-01-10."}

    def to_internal_value(self, data: Any) -> dt.date:
        if isinstance(data, dt.datetime):
            return data.date()
        if isinstance(data, dt.date):
            return data
        if not isinstance(data, str):
            self.fail("invalid")
        text = data.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            value = dt.datetime.fromisoformat(text).date()
        except ValueError:
            self.fail("invalid")
        if not DATE_MIN <= value <= DATE_MAX:
            raise serializers.ValidationError(f"Must be between {DATE_MIN} and {DATE_MAX}.")
        return value

    def to_representation(self, value: dt.date) -> str | None:
        return kf_date(value)


class KfSerializer(serializers.Serializer):
    """Keys are matched case-insensitively (clients send ``username`` as well as ``UserName``)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            lookup = {str(name).lower(): str(name) for name in self.fields}
            data = {lookup.get(str(key).lower(), key): value for key, value in data.items()}
        return super().to_internal_value(data)


class BoundedCharField(serializers.CharField):
    """A string that fits its model column (``apps.core.bounds``): length, no NUL
    or other control character, no lone surrogate."""

    def __init__(self, model: type, name: str, **kwargs: Any) -> None:
        self.bounds = field_bounds(model, name)
        kwargs.setdefault("max_length", self.bounds.max_length)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, bool | int | float | Decimal | list | dict):
            self.fail("invalid")
        value = super().to_internal_value(data)
        try:
            return self.bounds.check_text(value)
        except BoundsError as exc:
            raise serializers.ValidationError(str(exc.message)) from None


class BoundedDecimalField(serializers.DecimalField):
    """A number that fits its model column: digits before the point, places
    (never rounded), and what the database in use holds (``apps.core.bounds``)."""

    def __init__(self, model: type, name: str, **kwargs: Any) -> None:
        self.bounds = field_bounds(model, name)
        kwargs.setdefault("max_digits", self.bounds.max_digits)
        kwargs.setdefault("decimal_places", self.bounds.decimal_places)
        super().__init__(coerce_to_string=False, **kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool):
            self.fail("invalid")
        value = super().to_internal_value(data)
        try:
            return self.bounds.decimal(value, as_sent=True)
        except BoundsError as exc:
            raise serializers.ValidationError(str(exc.message)) from None


def text_field(model: type, name: str, **kwargs: Any) -> BoundedCharField:
    """An optional string field bounded by ``model.name``'s column."""
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    kwargs.setdefault("allow_null", True)
    return BoundedCharField(model, name, **kwargs)


def decimal_field(model: type, name: str, **kwargs: Any) -> BoundedDecimalField:
    return BoundedDecimalField(model, name, **kwargs)


def amount_field(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=18, decimal_places=4, coerce_to_string=False, **kwargs)


def int_field(**kwargs: Any) -> serializers.IntegerField:
    kwargs.setdefault("min_value", 0)
    return serializers.IntegerField(max_value=MAX_INT, **kwargs)


def validate(serializer_class: type, data: Any) -> dict[str, Any]:
    """Validate a request body with a serializer; errors become KashFlow's 400
    ``ValidationError`` naming each field."""
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise KashflowError(
            "Validation failed: " + "; ".join(_drf_field_errors(serializer.errors)), code="ValidationError"
        )
    return serializer.validated_data


# --- OpenAPI ---------------------------------------------------------------------


def num_field(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=30, decimal_places=6, coerce_to_string=False, **kwargs)


class ErrorSerializer(serializers.Serializer):
    Message = serializers.CharField()
    Error = serializers.CharField()


class CurrencyOutSerializer(serializers.Serializer):
    Code = serializers.CharField()
    Name = serializers.CharField()
    Symbol = serializers.CharField()
    ExchangeRate = num_field()
    DisplaySymbolOnRight = serializers.BooleanField()


class MetaDataSerializer(serializers.Serializer):
    FirstPageUrl = serializers.CharField()
    LastPageUrl = serializers.CharField()
    NextPageUrl = serializers.CharField(allow_null=True)
    PreviousPageUrl = serializers.CharField(allow_null=True)
    TotalRecords = serializers.IntegerField()
    TotalAmount = num_field()
    InvoiceLimitReached = serializers.BooleanField()


@extend_schema_field({"type": "number"})
class MoneyOut(serializers.Field):
    """An amount as KashFlow writes it (2 places when that loses nothing)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Decimal) -> Decimal:
        return money(value)


@extend_schema_field({"type": "string", "example": "2014-01-10 12:00:00", "nullable": True})
class DateOut(serializers.Field):
    """A date (or a date-time, in the company's time zone) as KashFlow writes it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: dt.date) -> str | None:
        if isinstance(value, dt.datetime):
            return kf_datetime(value)
        return kf_date(value)


def null(kind: type[serializers.Field] = serializers.CharField, **kwargs: Any) -> serializers.Field:
    """A field finhub has no value for: always null (documented as nullable)."""
    return kind(default=None, allow_null=True, read_only=True, **kwargs)


def null_number() -> serializers.Field:
    """An amount finhub has no value for: always null."""
    return num_field(default=None, allow_null=True, read_only=True)


def const(kind: type[serializers.Field], value: Any, **kwargs: Any) -> serializers.Field:
    """A field whose value is the same for every row in finhub (e.g. no VAT returns: 0)."""
    return kind(default=value, read_only=True, **kwargs)


TAG = ["KashFlow v2"]
ERRORS = {
    status: OpenApiResponse(ErrorSerializer, description=text)
    for status, text in {
        400: "Invalid request (field names in Message)",
        401: "Missing, invalid or expired session token",
        403: "The user's scope does not allow this (purchases:read users cannot write)",
        404: "No such purchase, supplier, project, nominal or bank account",
        405: "Method not allowed",
        409: "Idempotency-Key in use by a request still running",
        413: "Body too large",
        415: "Content-Type is not JSON or XML",
        422: "Idempotency-Key reused with a different request",
        429: "Too many sign-in attempts (per user name and per address); see Retry-After",
    }.items()
}
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Retrying with the same key and body replays the first response.",
)


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    return {s: ERRORS[s] for s in statuses}
