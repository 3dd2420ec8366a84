"""Property-based run over finhub's own OpenAPI schema (/api/schema/), in process.

Every operation in the schema is exercised, so operations added later are covered
without touching this file: each one must answer without a server error and with a
body that matches the schema of the status it returns. Authentication is filled in
per wire format (see ``auth_headers``); a new wire format with its own credentials
adds a branch there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.core.importing.jobs import import_job_create, import_job_succeed
from apps.core.models import ImportJob
from apps.core.scopes import ApiScope
from apps.core.services import api_client_create, api_token_issue

# Every status an operation returns must be documented with the body it sends
# (/api/v1/ errors are documented centrally by apps.core.schema.document_api_v1_errors).
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
MAX_EXAMPLES = 30
# Trades appKey/appSecret for a token: the authentication itself, 401 for a wrong pair.
KDP_TOKEN_PATH = "/inventory-server/api/auth/token"

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db]


class Credentials:
    """Valid credentials of one API client (system code ``pp``)."""

    def __init__(self) -> None:
        client = api_client_create(name="schemathesis", sys="pp", scopes=ApiScope.values)
        self.client = client.client
        self.token = api_token_issue(app_key=client.app_key, app_secret=client.app_secret).token


def auth_headers(path: str, credentials: Credentials) -> dict[str, str]:
    """The headers a well-behaved caller of this path sends."""
    if path.startswith("/inventory-server/"):
        # KDP: only the token (the security scheme); sys, traceId, deviceType,
        # uid and lang come from the schema's own header parameters, as a
        # generated client would send them.
        return {"token": credentials.token}
    if path.startswith("/api/"):
        return {"Authorization": f"Token {credentials.token}"}
    return {}


@pytest.fixture(autouse=True)
def _keep_the_test_connection_open() -> Iterator[None]:
    """The real WSGI handler closes the database connection at the end of a request
    when it is not in autocommit mode, which would end the test's transaction on
    PostgreSQL; Django's test client disconnects the same receiver."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def credentials(db: None) -> Credentials:
    return Credentials()


@pytest.fixture
def sample_data(credentials: Credentials) -> None:
    """Some rows, so that list operations render real records."""
    job = import_job_create(kind="invoice-year", scope="2025", total=3, client=credentials.client, trace_id="t-1")
    import_job_succeed(job=job, counts={"added": 3, "removed": 0, "changed": 0})
    import_job_create(kind="ap-balance", scope="snapshot", total=10, source="manage.py")
    assert ImportJob.objects.count() == 2


# Loaded once at collection: the schema view itself needs no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_its_schema(case: Any, credentials: Credentials, sample_data: None) -> None:
    response = case.call_and_validate(headers=auth_headers(case.path, credentials), checks=CHECKS)
    assert response.status_code < 500
    if case.path.startswith("/inventory-server/") and case.path != KDP_TOKEN_PATH and not _negative(case):
        # The headers the schema declares are enough to get past authentication.
        assert response.status_code not in (401, 403), (case.headers, response.text[:300])


def _negative(case: Any) -> bool:
    meta = getattr(case, "meta", None)
    return meta is not None and meta.generation.mode.is_negative


def test_the_schema_lists_the_platform_operations(client: Any) -> None:
    """Guards the run above against silently testing nothing."""
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert "/inventory-server/api/auth/token" in paths
    assert "/api/v1/imports/" in paths
    assert "/api/v1/imports/{public_id}/" in paths
    assert "/health/" in paths


def test_an_existing_import_job_matches_its_schema(credentials: Credentials, sample_data: None) -> None:
    """Generated ids never hit a record; this one does, so the 200 body is checked too."""
    job = ImportJob.objects.filter(kind="invoice-year").get()
    case = schema["/api/v1/imports/{public_id}/"]["GET"].Case(path_parameters={"public_id": str(job.public_id)})
    response = case.call_and_validate(headers=auth_headers(case.path, credentials), checks=CHECKS)
    assert response.status_code == 200
    assert response.json()["counts"] == {"added": 3, "removed": 0, "changed": 0}
