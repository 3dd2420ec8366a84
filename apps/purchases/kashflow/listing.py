"""Query parameters of the /v2 lists (enumerations by name or number, bounded
integers) and the absolute page URLs of their MetaData."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from rest_framework.request import Request

from apps.core.bounds import DATE_MAX, DATE_MIN, invalid_character
from apps.purchases.kashflow.base import KashflowError, single_value


def choice_param(
    request: Request, name: str, accepted: list[str], default: str, *, numbered: bool | int = False
) -> str:
    """One of ``accepted`` by name in any case, or (``numbered``) by its position:
    KashFlow's enums take the member name or its number. ``numbered`` as an int:
    only the first that many have numbers."""
    raw = single_value(request, name)
    if not raw:
        return default
    for value in accepted:
        if value.lower() == raw.lower():
            return value
    count = (len(accepted) if numbered is True else int(numbered)) if numbered else 0
    if count and raw.isascii() and raw.isdigit() and len(raw) < 4 and int(raw) < count:
        return accepted[int(raw)]
    extra = f" (or their numbers 0 to {count - 1})" if count else ""
    raise KashflowError(
        f"Invalid {name} {raw!r}: accepted values are {', '.join(accepted)}{extra}.", code="InvalidParameter"
    )


def int_param(
    request: Request, name: str, default: int | None, *, minimum: int = 1, maximum: int | None = None
) -> int | None:
    raw = single_value(request, name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if maximum is not None and minimum <= value <= 2_147_483_647 and value > maximum:
        raise KashflowError(
            f"Invalid {name} {raw!r}: it must be a whole number from {minimum} to {maximum}.", code="InvalidParameter"
        )
    if value < minimum or value > 2_147_483_647:
        raise KashflowError(f"Invalid {name} {raw!r}: it must be a whole number ≥ {minimum}.", code="InvalidParameter")
    return value


def page_urls(request: Request, perpage: int) -> Callable[[int], str]:
    """Absolute URLs of pages of this list: the client's query, with page (and
    perpage) set."""
    base = request.build_absolute_uri(request.path)
    params = [(k, v) for k, v in request.query_params.lists() if k not in ("page", "perpage")]
    rest = urlencode(params, doseq=True)
    tail = f"&perpage={perpage}" + (f"&{rest}" if rest else "")

    def url(page: int) -> str:
        return f"{base}?page={page}{tail}"

    return url


MAX_PER_PAGE = 500
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def bool_param(request: Request, name: str, default: bool = False) -> bool:
    raw = single_value(request, name).lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise KashflowError(f"Invalid {name} {raw!r}: accepted values are true, false.", code="InvalidParameter")


def text_param(request: Request, name: str, *, max_length: int = 200) -> str:
    raw = single_value(request, name)
    if len(raw) > max_length or invalid_character(raw) is not None:
        raise KashflowError(
            f"Invalid {name}: at most {max_length} characters, no control characters.", code="InvalidParameter"
        )
    return raw


def date_param(request: Request, name: str) -> dt.date | None:
    """A date as KashFlow writes them (``2014-01-10 12:00:00``), ISO 8601 or bare."""
    raw = single_value(request, name)
    if not raw:
        return None
    text = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
    try:
        value = dt.datetime.fromisoformat(text).date()
    except ValueError:
        value = None
    if value is None or not DATE_MIN <= value <= DATE_MAX:
        raise KashflowError(
            f"Invalid {name} {raw!r}: a date such as 2014-01-10 or 2014-01-10 12:00:00"
            f" between {DATE_MIN} and {DATE_MAX}.",
            code="InvalidParameter",
        )
    return value


def page_params(
    request: Request, default_perpage: int = 50, *, skip_perpage_validation: bool = False
) -> tuple[int, int]:
    """``page`` ≥ 1 and ``perpage`` from 1 to 500: a larger perpage is 400, as
    KashFlow answers it, rather than a shorter page than asked for; only with
    ``skip_perpage_validation`` (the suppliers list's ``skipperpagevalidation``)
    is it read as 500."""
    page = int_param(request, "page", 1) or 1
    maximum = None if skip_perpage_validation else MAX_PER_PAGE
    perpage = int_param(request, "perpage", default_perpage, maximum=maximum) or default_perpage
    return page, min(perpage, MAX_PER_PAGE)


def paged(
    request: Request, rows: list[Any], *, page: int, perpage: int, total: int, total_amount: Decimal | None = None
) -> dict[str, Any]:
    """KashFlow's ``{Data, MetaData}``: absolute page URLs (null at the ends),
    TotalRecords, TotalAmount over all pages, InvoiceLimitReached (finhub has no
    invoice limit: false)."""
    last = max(1, math.ceil(total / perpage))
    url = page_urls(request, perpage)
    return {
        "Data": rows,
        "MetaData": {
            "FirstPageUrl": url(1),
            "LastPageUrl": url(last),
            "NextPageUrl": url(page + 1) if page < last else None,
            "PreviousPageUrl": url(min(page - 1, last)) if page > 1 else None,
            "TotalRecords": total,
            "TotalAmount": total_amount if total_amount is not None else Decimal("0.00"),
            "InvoiceLimitReached": False,
        },
    }
