"""/api/v1 answers every error in JSON (404, 405, 500 with an error id; never an
HTML page), and no query parameter value, however odd, is a 500."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from rest_framework import viewsets

from tests.core.factories import ImportJobFactory

API = "/api/v1/"

# Odd values for any parameter: NUL and control characters, the longest and the
# largest, numbers past every column, dates past every calendar and offset.
ODD_VALUES = [
    "a\x00b",
    "\x1b[2J",
    "x" * 10_000,
    "-1",
    "99999999999999999999999999",
    "1e999999",
    "NaN",
    "0001-01-01",
    "99999-01-01",
    "0001-01-01T00:00:00+23:59",
    "9999-12-31T23:00:00-05:00",
    "' OR 1=1 --",
]


def list_endpoints() -> dict[str, list[str]]:
    """Every /api/v1 path without a path parameter -> its query parameters (from the schema)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    endpoints: dict[str, list[str]] = {}
    for url, operations in schema["paths"].items():
        if not url.startswith(API) or "{" in url or "get" not in operations:
            continue
        endpoints[url] = [p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "query"]
    return endpoints


@pytest.fixture
def reader(admin_client: Any) -> Any:
    ImportJobFactory()
    return admin_client


def assert_json_answer(response: Any, *, allowed: tuple[int, ...]) -> None:
    assert response.status_code in allowed, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    response.json()


def test_every_list_endpoint_has_parameters_to_try() -> None:
    endpoints = list_endpoints()
    assert "/api/v1/reconciliations/" in endpoints
    assert "periodFrom" in endpoints["/api/v1/reconciliations/"]
    assert "ordering" in endpoints["/api/v1/invoices/"]


@pytest.mark.parametrize("value", ODD_VALUES, ids=lambda v: repr(v)[:30])
def test_no_odd_query_value_is_a_500_on_any_list(reader: Any, value: str) -> None:
    for url, parameters in list_endpoints().items():
        for name in [*parameters, "page", "page_size", "ordering", "format"]:
            response = reader.get(url, {name: value})
            assert_json_answer(response, allowed=(200, 400, 404))


@pytest.mark.parametrize("value", ["\x00", "x" * 3000, "99999999999999999999"])
def test_odd_ids_on_detail_urls_are_json_404s(reader: Any, value: str) -> None:
    for url in ["/api/v1/imports/", "/api/v1/reconciliations/", "/api/v1/invoices/", "/api/v1/ap-balances/"]:
        assert_json_answer(reader.get(f"{url}{value}/"), allowed=(400, 404))


def test_a_refused_parameter_names_itself(reader: Any) -> None:
    response = reader.get("/api/v1/reconciliations/", {"supplier": "a\x00b"})
    assert response.status_code == 400
    assert "supplier" in response.json()


def test_a_parameter_given_twice_is_a_400_naming_it_on_every_list(reader: Any) -> None:
    """``?year=2024&year=2023`` must not answer for whichever value a reader takes."""
    for url, parameters in list_endpoints().items():
        for name in [*parameters, "page", "ordering", "format"]:
            value = "json" if name == "format" else "1"  # another format is DRF's 404 before any filter
            response = reader.get(f"{url}?{name}={value}&{name}={value}")
            assert_json_answer(response, allowed=(400,))
            assert name in response.json(), (url, name, response.json())


@pytest.mark.parametrize(
    "query", ["pageSize=2&page_size=50", "invoiceDateAfter=2024-01-01&invoice_date_after=2025-01-01"]
)
def test_a_parameter_under_its_old_and_new_name_is_given_twice(reader: Any, query: str) -> None:
    response = reader.get(f"/api/v1/invoices/?{query}")
    assert response.status_code == 400, response.content
    old = query.split("&")[1].split("=")[0]
    assert response.json() == {old: ["Given more than once: give this query parameter once."]}


def test_unknown_urls_and_methods_are_json(reader: Any) -> None:
    assert_json_answer(reader.get("/api/v1/no-such-thing/"), allowed=(404,))
    assert_json_answer(reader.get("/api/v1/reconciliations/not-a-uuid/"), allowed=(404,))
    assert_json_answer(reader.post("/api/v1/reconciliations/", {}), allowed=(405,))
    assert_json_answer(reader.delete("/api/v1/imports/"), allowed=(405,))


def test_errors_are_json_even_when_a_browser_asks_for_html(reader: Any) -> None:
    response = reader.get("/api/v1/no-such-thing/", HTTP_ACCEPT="text/html")
    assert_json_answer(response, allowed=(404,))
    response = reader.get("/api/v1/reconciliations/", {"period_from": "nope"}, HTTP_ACCEPT="text/html")
    assert_json_answer(response, allowed=(400,))


class _Broken(viewsets.ViewSet):
    def list(self, request: Any) -> Any:
        raise RuntimeError("a bug")


urlpatterns = [path("api/v1/broken/", _Broken.as_view({"get": "list"}))]


@pytest.mark.urls(__name__)
def test_an_unexpected_error_is_a_json_500_with_an_error_id(admin_client: Any, caplog: Any) -> None:
    with caplog.at_level(logging.ERROR):
        response = admin_client.get("/api/v1/broken/", HTTP_ACCEPT="text/html")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert len(body["errorId"]) == 32
    assert body["errorId"] in body["detail"]
    assert body["errorId"] in caplog.text


def test_djangos_500_handler_answers_json_under_api(rf: Any) -> None:
    from apps.core.api.views import server_error

    response = server_error(rf.get("/api/v1/anything/"))
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert len(json.loads(response.content)["errorId"]) == 32
    assert server_error(rf.get("/admin/")).status_code == 500
