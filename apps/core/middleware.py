from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import get_resolver, get_urlconf
from django.utils import translation

logger = logging.getLogger("django.security.TooManyFieldsSent")


def _language_from(value: str, default: str) -> str:
    """Map a header value (``zh``, ``zh-CN``, ``en-US,en;q=0.9``) to a supported language."""
    first = value.split(",")[0].split(";")[0].strip().lower()
    if first.startswith("zh"):
        return "zh-hans"
    if first.startswith("en"):
        return "en"
    return default


class QueryStringMiddleware:
    """Parses the query string before anything else reads it. Too many fields
    (``DATA_UPLOAD_MAX_NUMBER_FIELDS``) are answered here by the URLconf's
    ``handler400`` (``config.errors``: the envelope of the URL's API), and the
    refused query is replaced by an empty one, so that nothing after (Django's
    debug page included) parses it again and fails: never a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            request.GET  # noqa: B018 - parsed for its error
        except TooManyFieldsSent as exc:
            logger.warning("Refused %s: %s", request.path, exc)
            request.GET = QueryDict()
            handler = get_resolver(get_urlconf()).resolve_error_handler(400)
            return handler(request, exception=exc)  # type: ignore[call-arg,no-any-return]
        return self.get_response(request)


class WireLanguageMiddleware:
    """Selects the language of foreign wire formats from their own header (see
    ``settings.WIRE_LANGUAGES``); runs after LocaleMiddleware and overrides it there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for prefix, header, default in settings.WIRE_LANGUAGES:
            if request.path.startswith(prefix):
                language = _language_from(request.headers.get(header, ""), default)
                with translation.override(language):
                    request.LANGUAGE_CODE = language
                    return self.get_response(request)
        return self.get_response(request)


class DeprecationHeaderMiddleware:
    """A request that used deprecated names (apps.core.api.casing) gets
    ``Deprecation: true`` and a ``Warning`` naming their replacements."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        notes = getattr(request, "finhub_deprecated_names", None)
        if notes:
            pairs = ", ".join(f"{old} -> {new}" for old, new in sorted(notes.items()))
            response["Deprecation"] = "true"
            response["Warning"] = f'299 finhub "Deprecated names, removed in the next release: {pairs}"'
        return response
