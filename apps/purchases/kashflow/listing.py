"""Query parameters of the /v2 lists (enumerations by name or number, bounded
integers) and the absolute page URLs of their MetaData."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from rest_framework.request import Request

from apps.purchases.kashflow.base import KashflowError


def choice_param(request: Request, name: str, accepted: list[str], default: str, *, numbered: bool = False) -> str:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return default
    for value in accepted:
        if value.lower() == raw.lower():
            return value
    if numbered and raw.isascii() and raw.isdigit() and int(raw) < len(accepted):
        return accepted[int(raw)]
    extra = " (or their numbers 0 to 8)" if numbered else ""
    raise KashflowError(
        f"Invalid {name} {raw!r}: accepted values are {', '.join(accepted)}{extra}.", code="InvalidParameter"
    )


def int_param(request: Request, name: str, default: int | None, *, minimum: int = 1) -> int | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
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
