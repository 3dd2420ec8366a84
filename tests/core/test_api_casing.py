"""/api/v1 speaks camelCase (query parameters, ordering values, fields); the
snake_case names of the last release still work for one more, as deprecated
aliases that the response points out (Deprecation and Warning headers)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from apps.core.models import ImportJob
from tests.core.test_api_listing import MOMENT, _imports, _purchases

pytestmark = pytest.mark.django_db

CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")


def _schema(client: Any) -> dict[str, Any]:
    return client.get("/api/schema/", HTTP_ACCEPT="application/json").json()


def test_every_api_v1_query_parameter_and_ordering_value_is_camel_case(client):
    schema = _schema(client)
    names = set()
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                names.add(parameter["name"])
                if parameter["name"] == "ordering":
                    values = parameter["schema"]["items"]["enum"]
                    assert all(CAMEL.match(value.removeprefix("-")) for value in values), (path, values)
    assert {"pageSize", "createdAfter", "invoiceDateAfter", "periodFrom", "isCurrent", "supplierCode"} <= names
    assert [name for name in names if not CAMEL.match(name)] == []


def test_every_api_v1_field_is_camel_case_or_a_deprecated_alias(client):
    schema = _schema(client)
    components = schema["components"]["schemas"]
    used: set[str] = set()
    text = str({path: ops for path, ops in schema["paths"].items() if path.startswith("/api/v1/")})
    for name in components:
        if f"#/components/schemas/{name}'" in text:
            used.add(name)
    odd = []
    for name in sorted(used):
        for prop, spec in components[name].get("properties", {}).items():
            if not CAMEL.match(prop) and "Deprecated alias" not in spec.get("description", ""):
                odd.append(f"{name}.{prop}")
    assert odd == []


def test_snake_case_filters_orderings_and_page_size_work_as_deprecated_aliases(client_for_reads):
    _imports()
    ImportJob.objects.filter(pk=ImportJob.objects.order_by("pk").first().pk).update(trace_id="T-1")
    new = client_for_reads.get("/api/v1/imports/", {"traceId": "T-1", "createdAfter": "2023-06-01"})
    assert new.status_code == 200 and new.json()["count"] == 1
    assert "Deprecation" not in new
    old = client_for_reads.get("/api/v1/imports/", {"trace_id": "T-1", "created_after": "2023-06-01"})
    assert old.status_code == 200 and old.json()["count"] == 1
    assert old["Deprecation"] == "true"
    assert "trace_id -> traceId" in old["Warning"] and "created_after -> createdAfter" in old["Warning"]
    ordered = client_for_reads.get("/api/v1/imports/", {"ordering": "-createdAt", "pageSize": 5})
    assert ordered.status_code == 200 and len(ordered.json()["results"]) == 5 and "Deprecation" not in ordered
    aliased = client_for_reads.get("/api/v1/imports/", {"ordering": "-created_at", "page_size": 5})
    assert [r["id"] for r in aliased.json()["results"]] == [r["id"] for r in ordered.json()["results"]]
    assert "ordering=-created_at -> ordering=-createdAt" in aliased["Warning"]
    assert "page_size -> pageSize" in aliased["Warning"]
    assert MOMENT.year == 2023


def test_fields_are_camel_case_with_the_old_names_alongside_for_one_release(client_for_reads):
    _purchases()
    purchase = client_for_reads.get("/api/v1/purchases/", {"ordering": "number"}).json()["results"][0]
    assert purchase["grossAmount"] == purchase["gross_amount"] and purchase["supplierCode"] == "08C"
    assert purchase["overdueDays"] == purchase["overdue_days"]
    assert purchase["lines"][0]["nominalCode"] == 5000 == purchase["lines"][0]["nominal_code"]
    job = ImportJob.objects.create(kind="invoices", scope="2023", progress_total=4, progress_done=2)
    body = client_for_reads.get(f"/api/v1/imports/{job.public_id}/").json()
    assert body["progressTotal"] == 4 and body["progressPercent"] == 50 and body["progress_total"] == 4
