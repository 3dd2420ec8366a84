"""The server entry points' requests: Django's, with one fix (WSGI and ASGI).

Django's ``HttpRequest.encoding`` setter asks ``hasattr(self, "GET")``, which
parses the query string; the request's constructor sets the encoding whenever
the Content-Type names a charset. A query string of more fields than
``DATA_UPLOAD_MAX_NUMBER_FIELDS`` then raises TooManyFieldsSent inside the
constructor, before any middleware or error handler: the server answered a
bare-text 500. Here the setter drops a parsed query without parsing one, so the
error is raised on first use (``QueryStringMiddleware``) and answered as a 400
in the envelope of the URL's API (``config.errors``)."""

from __future__ import annotations

from typing import Any

import django
from django.core.handlers.asgi import ASGIHandler, ASGIRequest
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest


class _QueryParsedOnUse:
    _encoding: Any

    @property
    def encoding(self) -> Any:
        return self._encoding

    @encoding.setter
    def encoding(self, value: Any) -> None:
        self._encoding = value
        self.__dict__.pop("GET", None)  # parsed again, in this encoding, on next use
        if hasattr(self, "_post"):
            del self._post


class FinhubWSGIRequest(_QueryParsedOnUse, WSGIRequest):
    pass


class FinhubASGIRequest(_QueryParsedOnUse, ASGIRequest):
    pass


class FinhubWSGIHandler(WSGIHandler):
    request_class = FinhubWSGIRequest


class FinhubASGIHandler(ASGIHandler):
    request_class = FinhubASGIRequest


def get_wsgi_application() -> FinhubWSGIHandler:
    """``django.core.wsgi.get_wsgi_application`` with FinhubWSGIRequest."""
    django.setup(set_prefix=False)
    return FinhubWSGIHandler()


def get_asgi_application() -> FinhubASGIHandler:
    """``django.core.asgi.get_asgi_application`` with FinhubASGIRequest."""
    django.setup(set_prefix=False)
    return FinhubASGIHandler()
