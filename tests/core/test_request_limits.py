"""Requests refused before any view: each answered in its API's envelope, never a
500 or an HTML page (found by a tester's try: 1,001 query parameters were a 500,
a bare-text one when the Content-Type named a charset; a POST to an unknown URL
was Django's CSRF page)."""

from __future__ import annotations

import io
import json
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from django.test import Client
from django.utils import translation

from apps.core import messages
from apps.core.handlers import FinhubASGIHandler, FinhubWSGIHandler

TOO_MANY = "&".join(["x=1"] * 1001)  # DATA_UPLOAD_MAX_NUMBER_FIELDS is 1000


def too_many_fields(path: str) -> str:
    """The message in the language the API answers in by default (Xunlian's is Chinese)."""
    with translation.override("zh-hans" if path.startswith("/reconciliation/") else "en"):
        return str(messages.TOO_MANY_FIELDS)


def envelope_message(path: str, body: dict[str, Any]) -> str:
    if path.startswith("/inventory-server/"):
        assert body["code"] == 400
        return str(body["msg"])
    if path.startswith("/reconciliation/"):
        assert body["ok"] is False and body["status"]["returnCode"] == "400"
        return str(body["status"]["message"])
    if path.startswith("/v2/"):
        assert body["Error"] == "InvalidParameter"
        return str(body["Message"])
    return str(body["detail"])


PATHS = [
    "/inventory-server/api/invoice/report/info",
    "/reconciliation/saveReconForApi",
    "/v2/purchases",
    "/api/v1/invoices/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("path", PATHS)
def test_too_many_query_parameters_are_a_400_in_the_envelope(
    client: Client, settings: Any, path: str, method: str, debug: bool
) -> None:
    settings.DEBUG = debug  # the debug page read the refused query again (make run serves with DEBUG on)
    response = getattr(client, method)(f"{path}?{TOO_MANY}", content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert envelope_message(path, response.json()) == too_many_fields(path)


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize("path", PATHS)
def test_through_the_wsgi_entry_point_a_charset_in_the_content_type_changes_nothing(
    settings: Any, path: str, debug: bool
) -> None:
    """Django's request constructor parsed the query string when the Content-Type
    named a charset, and raised outside every handler (apps.core.handlers)."""
    settings.DEBUG = debug
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": TOO_MANY,
        "CONTENT_TYPE": "application/json;charset=utf-8",
        "CONTENT_LENGTH": "2",
        "wsgi.input": io.BytesIO(b"[]"),
        "SERVER_NAME": "localhost",
    }
    setup_testing_defaults(environ)
    started: list[str] = []
    chunks = FinhubWSGIHandler()(environ, lambda status, headers, *_: started.append(status))
    assert started == ["400 Bad Request"]
    assert envelope_message(path, json.loads(b"".join(chunks))) == too_many_fields(path)


@pytest.mark.django_db
def test_through_the_asgi_entry_point_too() -> None:
    from asgiref.testing import ApplicationCommunicator

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v2/purchases",
        "query_string": TOO_MANY.encode(),
        "headers": [(b"content-type", b"application/json;charset=utf-8"), (b"content-length", b"2")],
    }

    async def exchange() -> list[dict[str, Any]]:
        communicator = ApplicationCommunicator(FinhubASGIHandler(), scope)
        await communicator.send_input({"type": "http.request", "body": b"[]"})
        return [await communicator.receive_output(10), await communicator.receive_output(10)]

    from asgiref.sync import async_to_sync

    start, body = async_to_sync(exchange)()
    assert start["status"] == 400
    assert envelope_message("/v2/purchases", json.loads(body["body"])) == too_many_fields("/v2/purchases")


def test_the_servers_entry_point_is_that_handler() -> None:
    from config.wsgi import application

    assert isinstance(application, FinhubWSGIHandler)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/inventory-server/api/no-such-thing", "code"),
        ("/inventory-server/nothing", "code"),
        ("/reconciliation/nope", "ok"),
        ("/reconciliation/saveReconForApi/", "ok"),
        ("/api/nothing", "detail"),
        ("/api", "detail"),  # the bare prefixes: no APPEND_SLASH redirect (a 500 on a POST with DEBUG on)
        ("/inventory-server", "code"),
        ("/reconciliation", "ok"),
        ("/v2", "Error"),
    ],
)
@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_post_to_an_unknown_url_is_a_404_in_the_envelope_not_a_csrf_page(
    settings: Any, path: str, field: str, debug: bool
) -> None:
    settings.DEBUG = debug
    response = Client(enforce_csrf_checks=True).post(path, b"{}", content_type="application/json")
    assert response.status_code == 404, response.content[:300]
    assert field in response.json()


def test_the_asgi_entry_point_is_that_handler_too() -> None:
    from config.asgi import application

    assert isinstance(application, FinhubASGIHandler)
