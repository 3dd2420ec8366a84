"""DRF's JSON parser on the guard."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions as drf
from rest_framework.parsers import BaseParser

from apps.core.json_guard.base import JsonRejected, JsonStringTooLong, loads
from apps.core.media_types import require_utf8

# --- DRF --------------------------------------------------------------------------------


class GuardedJSONParser(BaseParser):
    """DRF's JSON parser for every other DRF view: the same guard, DRF's errors
    (400 ParseError, 413), a body no larger than DATA_UPLOAD_MAX_MEMORY_SIZE, in
    UTF-8 (415 for another declared charset)."""

    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        require_utf8(media_type)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise RequestTooLarge(str(_("The body is larger than the limit of {limit} bytes.").format(limit=limit)))
        try:
            return loads(data)
        except JsonStringTooLong as exc:
            raise RequestTooLarge(str(exc.message)) from None
        except JsonRejected as exc:
            raise drf.ParseError(str(exc.message)) from None


class RequestTooLarge(drf.APIException):
    status_code = 413
    default_detail = _("The body is too large.")
    default_code = "too_large"
